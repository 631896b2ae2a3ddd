using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Views;

/// <summary>
/// A tenant's timeline, all of it or one event type, from the slots' buckets: the activity partitions are read side by
/// side, second by second (each holds the buckets of the slots that landed on it), and each second's events are put in
/// time order. One request reads at most <see cref="MaxBucketRowsPerRequest"/> bucket rows; a page may then be short
/// while its cursor is set.
/// </summary>
public sealed class TimelineReader(TableServiceClient tables, StorageNames names)
{
    public const int MaxBucketRowsPerRequest = 400;
    private const int SecondKeyLength = 12;

    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));

    public async Task<(IReadOnlyList<BucketItem> Items, string? NextCursor)> ListAsync(
        string tenant, string? eventType, DateTimeOffset? from, DateTimeOffset? to, bool descending, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var prefix = eventType is null ? ViewKeys.TimelinePrefix(descending) : ViewKeys.TypePrefix(eventType, descending);
        var scope = CursorScope.Of("timeline", eventType, descending, from, to);
        var position = TimelineCursor.Decode(cursor, scope);
        var fromSecond = from?.ToUnixTimeSeconds() ?? 0;
        var toSecond = to?.ToUnixTimeSeconds() ?? ViewKeys.MaxSecond;
        if (position is { } p)
        {
            var second = new DateTimeOffset(p.Ticks, TimeSpan.Zero).ToUnixTimeSeconds();
            (fromSecond, toSecond) = descending ? (fromSecond, Math.Min(toSecond, second)) : (Math.Max(fromSecond, second), toSecond);
        }
        var (startKey, endKey) = descending
            ? (ViewKeys.SecondKey(toSecond, true), ViewKeys.SecondKey(fromSecond, true))
            : (ViewKeys.SecondKey(fromSecond, false), ViewKeys.SecondKey(toSecond, false));

        await using var merge = await BucketMerge.OpenAsync(_views, tenant, prefix + startKey, prefix + endKey + "}", row => SecondKey(row, prefix), cancellationToken);
        var page = new List<BucketItem>();
        string? lastSecond = null;
        while (page.Count <= limit && merge.RowsRead < MaxBucketRowsPerRequest && await merge.NextAsync() is { } bucket)
        {
            lastSecond = bucket.Key;
            var ordered = descending
                ? bucket.Items.OrderByDescending(i => i.Ticks).ThenByDescending(i => i.SortKey, StringComparer.Ordinal)
                : bucket.Items.OrderBy(i => i.Ticks).ThenBy(i => i.SortKey, StringComparer.Ordinal);
            page.AddRange(ordered.Where(i => InRange(i, from, to) && After(i, position, descending)));
        }
        if (page.Count > limit)
        {
            var served = page.Take(limit).ToList();
            return (served, TimelineCursor.Encode(scope, served[^1].Ticks, served[^1].SortKey));
        }
        // Stopped on the read budget with partitions unread: go on after the last second read, even if none of it is served.
        return merge.HasMore ? (page, TimelineCursor.Encode(scope, EndOf(lastSecond!, descending))) : (page, null);
    }

    private static string SecondKey(TableEntity row, string prefix) => row.RowKey.Substring(prefix.Length, SecondKeyLength);

    /// <summary>
    /// A position just past a second (a second key in the list's order), in the next second of the list: the next one's
    /// first tick below every sort key, or the previous one's last tick above every sort key — so the second is not read again.
    /// </summary>
    private static (long Ticks, string SortKey) EndOf(string secondKey, bool descending)
    {
        var key = long.Parse(secondKey, NumberStyles.None, CultureInfo.InvariantCulture);
        var start = DateTimeOffset.FromUnixTimeSeconds(descending ? ViewKeys.MaxSecond - key : key).UtcTicks;
        return descending ? (start - 1, "~") : (start + TimeSpan.TicksPerSecond, string.Empty);
    }

    private static bool InRange(BucketItem item, DateTimeOffset? from, DateTimeOffset? to) =>
        (from is null || item.Ticks >= from.Value.UtcTicks) && (to is null || item.Ticks <= to.Value.UtcTicks);

    private static bool After(BucketItem item, (long Ticks, string SortKey)? position, bool descending)
    {
        if (position is not { } p)
        {
            return true;
        }
        var order = item.Ticks != p.Ticks ? item.Ticks.CompareTo(p.Ticks) : string.CompareOrdinal(item.SortKey, p.SortKey);
        return descending ? order < 0 : order > 0;
    }

    /// <summary>Where a timeline page ended — the time and sort key of its last event — and which query it belongs to.</summary>
    private static class TimelineCursor
    {
        private const string Prefix = "t2";

        public static string Encode(string scope, long ticks, string sortKey) =>
            Base64Url.Encode(Encoding.UTF8.GetBytes(string.Join(':', Prefix, scope, ticks.ToString(CultureInfo.InvariantCulture), sortKey)));

        public static string Encode(string scope, (long Ticks, string SortKey) position) => Encode(scope, position.Ticks, position.SortKey);

        public static (long Ticks, string SortKey)? Decode(string? cursor, string scope)
        {
            if (cursor is null)
            {
                return null;
            }
            var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : string.Empty;
            var parts = text.Split(':');
            if (parts.Length != 4 || parts[0] != Prefix || parts[1] != scope
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks || parts[3].Length > 64)
            {
                throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
            }
            return (ticks, parts[3]);
        }
    }
}
