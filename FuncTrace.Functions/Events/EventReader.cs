using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Events;

/// <summary>
/// Reads events straight from their rows, so what was just written is readable at once: by id (a point read — two
/// through a pointer for a client-chosen id) and by conversation (one range of the conversation's partition).
/// </summary>
public sealed class EventReader(TableServiceClient tables, StorageNames names, PayloadStore payloads)
{
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));

    public async Task<StoredEvent?> GetAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length is 0 or > EventValidation.MaxIdLength || id.AsSpan().IndexOfAny("/\\#?") >= 0 || id.Any(char.IsControl))
        {
            return null;
        }
        if (EventKeys.IsSortKey(id)
            && await GetRowAsync(EventKeys.PartitionOf(tenant, EventKeys.ConversationHashOf(id)), id, cancellationToken) is { } own
            && own.GetString("Id") == id)
        {
            return await StoredAsync(own, cancellationToken);
        }
        var pointer = (await _events.GetEntityIfExistsAsync<TableEntity>(EventKeys.PointerPartition(tenant, id), id, cancellationToken: cancellationToken)).ValueOrNull();
        if (pointer is null)
        {
            return null;
        }
        var row = await GetRowAsync(pointer.GetString("EventPartition"), pointer.GetString("SortKey"), cancellationToken);
        return row is null ? null : await StoredAsync(row, cancellationToken);
    }

    /// <summary>
    /// The event's row: a packed one's from its page (<see cref="PackedEvents"/>), or its own — also for a packed key whose
    /// page does not hold it (a retry of a batch that stored no page, see <see cref="EventService"/>).
    /// </summary>
    public async Task<TableEntity?> GetRowAsync(string partitionKey, string sortKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sortKey);
        if (EventKeys.IsPacked(sortKey)
            && await PointReadAsync(partitionKey, PackedEvents.PageRowKey(sortKey), cancellationToken) is { } page
            && PackedEvents.EventOrNull(page, sortKey) is { } member)
        {
            return member;
        }
        return await PointReadAsync(partitionKey, EventKeys.EventRow(sortKey), cancellationToken);
    }

    /// <summary>The rows of many events at once (null where there is none), reading each page once however many of its events are asked for.</summary>
    public async Task<TableEntity?[]> GetRowsAsync(IReadOnlyList<(string Partition, string SortKey)> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var pages = keys.Where(k => EventKeys.IsPacked(k.SortKey))
            .Select(k => (k.Partition, RowKey: PackedEvents.PageRowKey(k.SortKey)))
            .Distinct()
            .ToDictionary(k => k, k => PointReadAsync(k.Partition, k.RowKey, cancellationToken));
        return await Task.WhenAll(keys.Select(async key =>
        {
            if (EventKeys.IsPacked(key.SortKey) && pages.TryGetValue((key.Partition, PackedEvents.PageRowKey(key.SortKey)), out var read)
                && await read is { } page && PackedEvents.EventOrNull(page, key.SortKey) is { } member)
            {
                return member;
            }
            return await PointReadAsync(key.Partition, EventKeys.EventRow(key.SortKey), cancellationToken);
        }));
    }

    private async Task<TableEntity?> PointReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        (await _events.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken)).ValueOrNull();

    public async Task<EventRecord> ReadAsync(TableEntity row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var data = row.GetString("DataBlob") is { } blob
            ? await payloads.LoadAsync(blob, cancellationToken)
            : JsonBody.ParseStored(row.GetString("Data") ?? "{}");
        return EventRows.ToRecord(row, data);
    }

    public async Task<StoredEvent> StoredAsync(TableEntity row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new StoredEvent(await ReadAsync(row, cancellationToken), row.PartitionKey, EventRows.SortKeyOf(row), row.GetString("Slot"),
            row.GetString(PackedEvents.PageProperty) ?? row.RowKey, row.ETag);
    }

    /// <summary>Records for rows, reading large data from blobs in parallel.</summary>
    public async Task<IReadOnlyList<EventRecord>> ReadAllAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken) =>
        await Task.WhenAll(rows.Select(row => ReadAsync(row, cancellationToken)));

    /// <summary>
    /// A conversation's events in time order. Oldest first is a forward range read. Newest first reads backwards in
    /// windows — the last hour, then wider while they hold few events, narrower when one holds too many — since a range
    /// can only be read forwards; a window is cut in row order (<see cref="ConversationRange"/>), so even thousands of
    /// events in one millisecond are paged. Either way one request makes a bounded number of reads; a page may then be
    /// short, or empty, while its cursor is set.
    /// </summary>
    public async Task<EventPage> ListConversationAsync(string tenant, EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var conversation = EventValidation.ValidateConversationId(query.ConversationId);
        var hash = EventKeys.Hash(conversation);
        var range = new Range(
            query.From is { } from ? ConversationRange.At(from) : UInt128.Zero,
            query.To is { } to ? ConversationRange.At(to.AddMilliseconds(1)) : ConversationRange.End);
        var scope = CursorScope.Of("conversation", conversation, query.EventType, query.Descending, query.From, query.To);
        var cursor = ConversationCursor.Decode(query.Cursor, scope, range, query.Descending);
        var read = new Reading(EventKeys.ConversationPartition(tenant, conversation), conversation, hash, query.EventType);
        if (!query.Descending)
        {
            var rows = await OldestFirstAsync(read, cursor is { } after ? after.At + 1 : range.Lower, range.Upper, query.Limit, cancellationToken);
            var page = rows.Take(query.Limit).ToList();
            var next = rows.Count > query.Limit ? ConversationCursor.Encode(scope, ConversationRange.Of(EventRows.SortKeyOf(page[^1]), hash)!.Value, UInt128.Zero) : null;
            return new EventPage(await ReadAllAsync(page, cancellationToken), next);
        }
        var (newest, resume) = await NewestFirstAsync(read, range.Lower, cursor ?? new Position(range.Upper, InitialWindow), query.Limit, cancellationToken);
        return new EventPage(await ReadAllAsync(newest, cancellationToken), resume is { } at ? ConversationCursor.Encode(scope, at.At, at.Window) : null);
    }

    /// <summary>A conversation's first event rows, oldest first, as stored (to fold what the views have not folded yet).</summary>
    public async Task<IReadOnlyList<TableEntity>> FirstRowsAsync(string tenant, string conversationId, int limit, CancellationToken cancellationToken = default)
    {
        var conversation = EventValidation.ValidateConversationId(conversationId);
        var read = new Reading(EventKeys.ConversationPartition(tenant, conversation), conversation, EventKeys.Hash(conversation), null);
        var rows = await OldestFirstAsync(read, UInt128.Zero, ConversationRange.End, limit, cancellationToken);
        return rows.Take(limit).ToList();
    }

    /// <summary>The rows a conversation query may read: numbers <c>[Lower, Upper)</c>.</summary>
    private readonly record struct Range(UInt128 Lower, UInt128 Upper);

    /// <summary>Where a page ended (the last row served, or for newest first the bound not yet read below) and, newest first, the window width reached.</summary>
    private readonly record struct Position(UInt128 At, UInt128 Window);

    private sealed record Reading(string Partition, string Conversation, string Hash, string? Type);

    /// <summary>Rows a newest-first window may hold to be read whole; a fuller one is narrowed.</summary>
    private const int WindowRows = 200;

    /// <summary>Range reads one newest-first request makes at most (each of at most <see cref="WindowRows"/> + 1 rows).</summary>
    public const int MaxWindowsPerRequest = 48;

    private static readonly UInt128 InitialWindow = ConversationRange.Millisecond * 3_600_000;

    /// <summary>
    /// Up to <paramref name="limit"/> + 1 of a conversation's event rows after the one with <paramref name="afterSortKey"/>
    /// (from the first when null), oldest first, as stored: for readers that decide per row whether to read its data.
    /// </summary>
    public async Task<IReadOnlyList<TableEntity>> RowsAfterAsync(string tenant, string conversationId, string? afterSortKey, int limit, CancellationToken cancellationToken = default)
    {
        var conversation = EventValidation.ValidateConversationId(conversationId);
        var hash = EventKeys.Hash(conversation);
        var read = new Reading(EventKeys.ConversationPartition(tenant, conversation), conversation, hash, null);
        var from = afterSortKey is null ? UInt128.Zero : (ConversationRange.Of(afterSortKey, hash) ?? throw new ArgumentException("Not a sort key of this conversation.", nameof(afterSortKey))) + 1;
        return await OldestFirstAsync(read, from, ConversationRange.End, limit, cancellationToken);
    }

    /// <summary>Up to <paramref name="limit"/> + 1 rows from <paramref name="from"/> (inclusive) on, so the caller knows whether more follow.</summary>
    private async Task<List<TableEntity>> OldestFirstAsync(Reading read, UInt128 from, UInt128 upper, int limit, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in RowsAsync(read, from, upper, Math.Min(limit + 1, 1000), cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }
        return rows;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> rows below <c>start.At</c>, newest first, and where to go on from (null at the
    /// end). A window <c>[top − width, top)</c> with at most <see cref="WindowRows"/> rows is taken whole and the next one
    /// sized for about half as many; a fuller one is narrowed from what its first rows show of its density. The first
    /// window without an upper bound reaches from an hour ago to the end, so events dated later are in it.
    /// </summary>
    private async Task<(List<TableEntity> Rows, Position? Resume)> NewestFirstAsync(Reading read, UInt128 lower, Position start, int limit, CancellationToken cancellationToken)
    {
        var found = new List<TableEntity>();
        var top = start.At;
        var width = start.Window == UInt128.Zero ? InitialWindow : start.Window;
        // Widths are measured down from now while the window's top is later: events dated after now all fall in the first.
        var reference = UInt128.Max(lower, UInt128.Min(top, ConversationRange.At(DateTimeOffset.UtcNow) + ConversationRange.Millisecond));
        for (var reads = 0; top > lower; reads++)
        {
            if (found.Count >= limit || reads == MaxWindowsPerRequest)
            {
                return (found.Take(limit).ToList(), new Position(found.Count >= limit ? Number(read, found[limit - 1]) : top, width));
            }
            var bottom = reference - lower > width ? reference - width : lower;
            var window = new List<TableEntity>();
            await foreach (var row in RowsAsync(read, bottom, top, WindowRows + 1, cancellationToken))
            {
                window.Add(row);
                if (window.Count > WindowRows)
                {
                    break;
                }
            }
            if (window.Count <= WindowRows)
            {
                window.Reverse();
                found.AddRange(window);
                (top, reference) = (bottom, bottom);
                width = window.Count == 0 ? Scale(width, 8, 1) : Scale(width, WindowRows, 2 * (ulong)window.Count);
                continue;
            }
            var last = Number(read, window[^1]);
            if (reference < top && last >= reference)
            {
                // More than a window's worth is dated after now: narrow within those.
                (width, reference) = (top - reference, top);
                continue;
            }
            // Too full: at least halve the width, and aim at about half a window by the density of the rows just read.
            width = UInt128.Max(UInt128.One, UInt128.Min((reference - bottom) / 2, (last - bottom + 1) / 2));
        }
        return (found.Take(limit).ToList(), found.Count > limit ? new Position(Number(read, found[limit - 1]), width) : null);
    }

    /// <summary>width × numerator / denominator, at most eight times as wide and never wider than all rows.</summary>
    private static UInt128 Scale(UInt128 width, ulong numerator, ulong denominator)
    {
        var scaled = width >= ConversationRange.End ? ConversationRange.End : width * UInt128.Min(numerator, 8 * denominator) / denominator;
        return UInt128.Clamp(scaled, UInt128.One, ConversationRange.End);
    }

    private static UInt128 Number(Reading read, TableEntity row) => ConversationRange.Of(EventRows.SortKeyOf(row), read.Hash)!.Value;

    /// <summary>
    /// The conversation's events numbered <c>[from, before)</c>, in order, pages taken apart. The range read starts at the
    /// page key <paramref name="from"/> may lie in, and a page may hold events of other types, so both are checked here too.
    /// A page's events sort after its own key, and events stored alone under its key's prefix (see
    /// <see cref="EventService"/>) may fall between them, so they wait until the rows read show nothing comes before them.
    /// </summary>
    private async IAsyncEnumerable<TableEntity> RowsAsync(Reading read, UInt128 from, UInt128 before, int maxPerPage, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var waiting = new Queue<TableEntity>();
        await foreach (var row in _events.QueryAsync<TableEntity>(Filter(read, from, before), maxPerPage: maxPerPage, cancellationToken: cancellationToken))
        {
            while (waiting.Count > 0 && string.CompareOrdinal(waiting.Peek().RowKey, row.RowKey) < 0)
            {
                var item = waiting.Dequeue();
                if (Serves(read, from, before, item))
                {
                    yield return item;
                }
            }
            if (PackedEvents.IsPage(row))
            {
                // Rows come in key order, so whatever still waits sorts after this page's key, among its events.
                waiting = new Queue<TableEntity>(waiting.Concat(PackedEvents.Events(row)).OrderBy(e => e.RowKey, StringComparer.Ordinal));
            }
            else if (Serves(read, from, before, row))
            {
                yield return row;
            }
        }
        foreach (var item in waiting.Where(item => Serves(read, from, before, item)))
        {
            yield return item;
        }
    }

    private static bool Serves(Reading read, UInt128 from, UInt128 before, TableEntity row) =>
        ConversationRange.Of(EventRows.SortKeyOf(row), read.Hash) is { } number && number >= from && number < before
        && (read.Type is null || row.GetString("EventType") == read.Type);

    private static string Filter(Reading read, UInt128 from, UInt128 before)
    {
        var (low, high) = (ConversationRange.RowKey(from, read.Hash), ConversationRange.RowKey(before, read.Hash));
        var pageLow = low[..Math.Min(low.Length, EventKeys.EventPrefix.Length + EventKeys.PageKeyLength)];
        return read.Type is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {read.Partition} and RowKey ge {pageLow} and RowKey lt {high} and ConversationId eq {read.Conversation}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {read.Partition} and RowKey ge {pageLow} and RowKey lt {high} and ConversationId eq {read.Conversation} and (EventType eq {read.Type} or Members gt 0)");
    }

    /// <summary>
    /// Where a conversation page ended, with the query it belongs to (<see cref="CursorScope"/>), checked to lie inside the
    /// query's range: <c>c2:{scope}:{position}:{window}</c>.
    /// </summary>
    private static class ConversationCursor
    {
        private const string Prefix = "c2";

        public static string Encode(string scope, UInt128 position, UInt128 window) =>
            Domain.Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(string.Join(':', Prefix, scope,
                position.ToString(System.Globalization.CultureInfo.InvariantCulture), window.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        public static Position? Decode(string? cursor, string scope, Range range, bool descending)
        {
            if (cursor is null)
            {
                return null;
            }
            var parts = (Domain.Base64Url.TryDecode(cursor) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : string.Empty).Split(':');
            if (parts.Length == 4 && parts[0] == Prefix && parts[1] == scope
                && UInt128.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position)
                && UInt128.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var window)
                && window <= ConversationRange.End
                && (descending ? position > range.Lower && position <= range.Upper : position >= range.Lower && position < range.Upper))
            {
                return new Position(position, window);
            }
            throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
        }
    }
}
