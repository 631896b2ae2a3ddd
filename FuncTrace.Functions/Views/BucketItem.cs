using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Views;

/// <summary>One event in a timeline or review bucket: enough to order, filter and find it, never its data.</summary>
public sealed record BucketItem(
    [property: JsonPropertyName("ts")] long Ticks,
    [property: JsonPropertyName("s")] string SortKey,
    [property: JsonPropertyName("c")] string Conversation,
    [property: JsonPropertyName("y")] string Type)
{
    /// <summary>A table string holds 32 K characters; a bucket's items are split over rows of at most this many.</summary>
    internal const int MaxCharsPerRow = 30_000;

    public const string ItemsProperty = "Items";

    public DateTimeOffset Timestamp => new(Ticks, TimeSpan.Zero);

    public static BucketItem Of(ViewItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new(item.Timestamp.UtcTicks, item.SortKey, item.Conversation, item.Type);
    }

    /// <summary>The events' partition in the events table.</summary>
    public string EventPartition(string tenant) => EventKeys.PartitionOf(tenant, EventKeys.ConversationHashOf(SortKey));

    /// <summary>How many characters the item takes in a part.</summary>
    public static int JsonLength(BucketItem item) => JsonSerializer.Serialize(item).Length;

    /// <summary>
    /// At most how many parts <see cref="Parts"/> makes of <paramref name="count"/> items taking <paramref name="chars"/>
    /// characters with separators (and the opening bracket), the longest <paramref name="longest"/>: a part is closed only
    /// when the next item does not fit, so every closed part holds more than a row less one item.
    /// </summary>
    public static int MaxParts(int count, long chars, int longest)
    {
        var closedAtLeast = MaxCharsPerRow - longest - 2;
        return closedAtLeast <= 0 ? count : (int)Math.Min(count, (chars / closedAtLeast) + 1);
    }

    /// <summary>Items in (time, sort key) order, split into the parts that fit one row each.</summary>
    public static List<string> Parts(IEnumerable<BucketItem> items)
    {
        var parts = new List<string>();
        var current = new StringBuilder("[");
        foreach (var item in items.OrderBy(i => i.Ticks).ThenBy(i => i.SortKey, StringComparer.Ordinal))
        {
            var json = JsonSerializer.Serialize(item);
            if (current.Length > 1 && current.Length + json.Length + 2 > MaxCharsPerRow)
            {
                parts.Add(current.Append(']').ToString());
                current = new StringBuilder("[");
            }
            if (current.Length > 1)
            {
                current.Append(',');
            }
            current.Append(json);
        }
        if (current.Length > 1)
        {
            parts.Add(current.Append(']').ToString());
        }
        return parts;
    }

    public static IReadOnlyList<BucketItem> Read(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<BucketItem>>(json) ?? [];
}
