using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
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
        var position = TimelineCursor.Decode(cursor);
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

        var heads = ViewKeys.ActivityPartitions(tenant)
            .Select(partition => _views.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix + startKey} and RowKey lt {prefix + endKey + "}"}"),
                maxPerPage: 100, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken))
            .ToList();
        try
        {
            var live = new List<IAsyncEnumerator<TableEntity>>();
            foreach (var head in heads)
            {
                if (await head.MoveNextAsync())
                {
                    live.Add(head);
                }
            }
            var page = new List<BucketItem>();
            var rowsRead = 0;
            while (live.Count > 0 && page.Count <= limit && rowsRead < MaxBucketRowsPerRequest)
            {
                var second = live.Select(h => SecondKey(h.Current, prefix)).Min(StringComparer.Ordinal)!;
                var items = new List<BucketItem>();
                foreach (var head in live.Where(h => SecondKey(h.Current, prefix) == second).ToList())
                {
                    do
                    {
                        items.AddRange(BucketItem.Read(head.Current.GetString(BucketItem.ItemsProperty)));
                        rowsRead++;
                        if (!await head.MoveNextAsync())
                        {
                            live.Remove(head);
                            break;
                        }
                    }
                    while (SecondKey(head.Current, prefix) == second);
                }
                var ordered = descending
                    ? items.OrderByDescending(i => i.Ticks).ThenByDescending(i => i.SortKey, StringComparer.Ordinal)
                    : items.OrderBy(i => i.Ticks).ThenBy(i => i.SortKey, StringComparer.Ordinal);
                page.AddRange(ordered.Where(i => InRange(i, from, to) && After(i, position, descending)));
            }
            if (page.Count > limit)
            {
                var served = page.Take(limit).ToList();
                return (served, TimelineCursor.Encode(served[^1]));
            }
            // Stopped on the read budget with partitions unread: go on from the last second fully read.
            return live.Count > 0 && page.Count > 0 ? (page, TimelineCursor.Encode(page[^1])) : (page, null);
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.DisposeAsync();
            }
        }
    }

    private static string SecondKey(TableEntity row, string prefix) => row.RowKey.Substring(prefix.Length, SecondKeyLength);

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

    /// <summary>Where a timeline page ended: the time and sort key of its last event.</summary>
    private static class TimelineCursor
    {
        private const string Prefix = "t1:";

        public static string Encode(BucketItem last) =>
            Base64Url.Encode(Encoding.UTF8.GetBytes($"{Prefix}{last.Ticks.ToString(CultureInfo.InvariantCulture)}:{last.SortKey}"));

        public static (long Ticks, string SortKey)? Decode(string? cursor)
        {
            if (cursor is null)
            {
                return null;
            }
            var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : string.Empty;
            var parts = text.Split(':');
            if (parts.Length != 3 || parts[0] + ":" != Prefix
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks || parts[2].Length > 64)
            {
                throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
            }
            return (ticks, parts[2]);
        }
    }
}
