using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FuncTrace.Functions.Views;

/// <summary>
/// The rows of the views table, kept up to date from ingest slots (<see cref="ViewWriter"/>). A tenant's views are spread
/// over <see cref="Shards"/> activity partitions and as many conversation partitions, so no tenant has a hot partition:
/// <list type="bullet">
/// <item>Activity, <c>d|{tenant}|{shard}</c>, the shard chosen by the slot: each slot writes one partition, in one
/// transaction — its timeline and per-type buckets (<c>t|</c>/<c>T|</c>, <c>y|</c>/<c>Y|</c>: the slot's events of one
/// second, ascending and descending), its review bucket (<c>q|{slot}</c>: events still waiting for a verdict, with lease
/// rows <c>l|{sort key}</c> beside it), usage per day and month by user and model (<c>u|d|</c>, <c>u|m|</c>), counters
/// (<c>n</c>), verdicts per day (<c>v|</c>).</item>
/// <item>Conversations, <c>c|{tenant}|{shard}</c>, the shard chosen by the conversation: summaries <c>s|{hash}</c> and the
/// newest-activity-first list <c>a|{inverse time}|{hash}</c>.</item>
/// </list>
/// Every slot applied to a partition leaves a marker <c>m|{slot}</c> in the same transaction: applying it again (the
/// message re-delivered, or recovery after its instance died) fails on the marker and changes nothing.
/// </summary>
public static class ViewKeys
{
    public const int Shards = 8;
    public const string Counters = "n";
    public const string ReviewPrefix = "q|";
    public const string LeasePrefix = "l|";
    public const string ActivityPrefix = "a|";
    public const string UsageByDay = "u|d|";
    public const string UsageByMonth = "u|m|";

    /// <summary>The latest Unix second a timestamp may have (9999-12-31).</summary>
    public const long MaxSecond = 253_402_300_799;

    public static string ActivityPartition(string tenant, int shard) => $"d|{tenant}|{shard}";

    public static string ConversationPartition(string tenant, string conversationId) => $"c|{tenant}|{ShardOf(conversationId)}";

    public static IEnumerable<string> ActivityPartitions(string tenant) => Enumerable.Range(0, Shards).Select(s => ActivityPartition(tenant, s));

    public static IEnumerable<string> ConversationPartitions(string tenant) => Enumerable.Range(0, Shards).Select(s => $"c|{tenant}|{s}");

    /// <summary>The activity shard a slot writes: slots opened one after another land on different partitions.</summary>
    public static int SlotShard(string slot) => ShardOf(slot);

    public static string Marker(string slot, int chunk) => chunk == 0 ? "m|" + slot : $"m|{slot}|{chunk}";

    public static string Timeline(long second, string slot, int part) => $"t|{Second(second)}|{slot}|{part}";

    public static string TimelineDesc(long second, string slot, int part) => $"T|{Second(MaxSecond - second)}|{slot}|{part}";

    public static string TypeTimeline(string type, long second, string slot, int part) => $"y|{Segment(type)}|{Second(second)}|{slot}|{part}";

    public static string TypeTimelineDesc(string type, long second, string slot, int part) => $"Y|{Segment(type)}|{Second(MaxSecond - second)}|{slot}|{part}";

    public static string TimelinePrefix(bool descending) => descending ? "T|" : "t|";

    public static string TypePrefix(string type, bool descending) => (descending ? "Y|" : "y|") + Segment(type) + "|";

    /// <summary>The key part of a second in a timeline row key, ascending or descending.</summary>
    public static string SecondKey(long second, bool descending) => Second(descending ? MaxSecond - second : second);

    public static string Review(string slot, int part) => $"{ReviewPrefix}{slot}|{part}";

    public static string Lease(string sortKey) => LeasePrefix + sortKey;

    public static string Summary(string conversationId) => "s|" + ConversationKey(conversationId);

    /// <summary>
    /// A conversation's place in the newest-activity-first list, to the second: a conversation busy within one second keeps
    /// its row (rewritten in place) instead of moving it with every slot.
    /// </summary>
    public static string Activity(DateTimeOffset lastActivity, string conversationId) =>
        ActivityPrefix + Second(MaxSecond - lastActivity.ToUnixTimeSeconds()) + "|" + ConversationKey(conversationId);

    public static string UsageDay(DateTimeOffset time, string? user, string? model) =>
        UsageByDay + time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "|" + Segment(user ?? string.Empty) + "|" + Segment(model ?? string.Empty);

    public static string UsageMonth(DateTimeOffset time, string? user, string? model) =>
        UsageByMonth + time.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture) + "|" + Segment(user ?? string.Empty) + "|" + Segment(model ?? string.Empty);

    public static string VerdictsOn(DateTimeOffset time) => "v|" + time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>A stable hash (not the per-process string hash) of <paramref name="value"/> onto the shards.</summary>
    public static int ShardOf(string value)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), digest);
        return digest[0] % Shards;
    }

    /// <summary>
    /// A conversation in a row key: 20 hex digits of its SHA-256 (80 bits, so a tenant's conversations do not collide),
    /// short and free of characters keys cannot hold; the row keeps the id itself.
    /// </summary>
    public static string ConversationKey(string conversationId) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(conversationId)))[..20];

    private static string Second(long second) => Math.Clamp(second, 0, MaxSecond).ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>
    /// A type, user or model inside a key: escaped so <c>|</c> cannot reach into another's range, unless it holds characters
    /// no key may hold (<c>org/model</c>) or is long; then a hash of it. The row keeps the value itself.
    /// </summary>
    private static string Segment(string value)
    {
        var escaped = value.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);
        return escaped.Length <= 120 && escaped.AsSpan().IndexOfAny("/\\#?") < 0 && !escaped.Any(char.IsControl)
            ? escaped
            : "~" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];
    }
}
