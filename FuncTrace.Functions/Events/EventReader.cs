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
    /// <summary>Rows one list request may read at most before it answers with what it has and a cursor.</summary>
    public const int MaxRowsPerRequest = 2000;

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

    public async Task<TableEntity?> GetRowAsync(string partitionKey, string sortKey, CancellationToken cancellationToken) =>
        (await _events.GetEntityIfExistsAsync<TableEntity>(partitionKey, EventKeys.EventRow(sortKey), cancellationToken: cancellationToken)).ValueOrNull();

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
        return new StoredEvent(await ReadAsync(row, cancellationToken), row.PartitionKey, EventRows.SortKeyOf(row), row.GetString("Slot"), row.ETag);
    }

    /// <summary>Records for rows, reading large data from blobs in parallel.</summary>
    public async Task<IReadOnlyList<EventRecord>> ReadAllAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken) =>
        await Task.WhenAll(rows.Select(row => ReadAsync(row, cancellationToken)));

    /// <summary>
    /// A conversation's events in time order. Ascending is a forward range read. Descending reads backwards in windows of
    /// time — the last hour, then eight times further back each step, a window narrowed when it holds too much — since
    /// a range can only be read forwards; either way one request reads a bounded number of rows.
    /// </summary>
    public async Task<EventPage> ListConversationAsync(string tenant, EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var conversation = EventValidation.ValidateConversationId(query.ConversationId);
        var partition = EventKeys.ConversationPartition(tenant, conversation);
        var lower = EventKeys.EventRow(query.From is { } from ? EventKeys.From(from) : string.Empty);
        var upper = query.To is { } to && to < EventKeys.MaxTimestamp ? EventKeys.EventRow(EventKeys.From(to.AddMilliseconds(1))) : EventKeys.EventPrefix[..^1] + "}";
        var cursor = ConversationCursor.Decode(query.Cursor, lower, upper);
        var rows = query.Descending
            ? await NewestFirstAsync(partition, conversation, query.EventType, lower, cursor ?? upper, query.Limit, cancellationToken)
            : await OldestFirstAsync(partition, conversation, query.EventType, cursor is null ? lower : cursor + "\0", upper, query.Limit, cancellationToken);
        var page = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? ConversationCursor.Encode(page[^1].RowKey) : null;
        return new EventPage(await ReadAllAsync(page, cancellationToken), next);
    }

    /// <summary>A conversation's first event rows, oldest first, as stored (to fold what the views have not folded yet).</summary>
    public async Task<IReadOnlyList<TableEntity>> FirstRowsAsync(string tenant, string conversationId, int limit, CancellationToken cancellationToken = default)
    {
        var conversation = EventValidation.ValidateConversationId(conversationId);
        var rows = await OldestFirstAsync(EventKeys.ConversationPartition(tenant, conversation), conversation, null,
            EventKeys.EventPrefix, EventKeys.EventPrefix[..^1] + "}", limit, cancellationToken);
        return rows.Take(limit).ToList();
    }

    /// <summary>
    /// Up to <paramref name="limit"/> + 1 of a conversation's event rows after the one with <paramref name="afterSortKey"/>
    /// (from the first when null), oldest first, as stored: for readers that decide per row whether to read its data.
    /// </summary>
    public async Task<IReadOnlyList<TableEntity>> RowsAfterAsync(string tenant, string conversationId, string? afterSortKey, int limit, CancellationToken cancellationToken = default)
    {
        var conversation = EventValidation.ValidateConversationId(conversationId);
        var from = afterSortKey is null ? EventKeys.EventPrefix : EventKeys.EventRow(afterSortKey) + "\0";
        return await OldestFirstAsync(EventKeys.ConversationPartition(tenant, conversation), conversation, null, from, EventKeys.EventPrefix[..^1] + "}", limit, cancellationToken);
    }

    /// <summary>Up to <paramref name="limit"/> + 1 rows from <paramref name="from"/> (inclusive) on, so the caller knows whether more follow.</summary>
    private async Task<List<TableEntity>> OldestFirstAsync(string partition, string conversation, string? type, string from, string upper, int limit, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in _events.QueryAsync<TableEntity>(Filter(partition, conversation, type, from, upper), maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > limit)
            {
                break;
            }
        }
        return rows;
    }

    /// <summary>Up to <paramref name="limit"/> + 1 rows before <paramref name="before"/>, newest first.</summary>
    private async Task<List<TableEntity>> NewestFirstAsync(string partition, string conversation, string? type, string lower, string before, int limit, CancellationToken cancellationToken)
    {
        var found = new List<TableEntity>();
        var windowEnd = before;
        var width = TimeSpan.FromHours(1);
        // The open end of the range (no 'to', no cursor) starts from now: later timestamps all fall in the first window.
        var endTime = windowEnd.Length > EventKeys.EventPrefix.Length + 1 ? EventKeys.TimeOf(windowEnd) : DateTimeOffset.UtcNow;
        var read = 0;
        while (found.Count <= limit && string.CompareOrdinal(windowEnd, lower) > 0 && read < MaxRowsPerRequest)
        {
            var startTime = endTime - EventKeys.MinTimestamp <= width ? EventKeys.MinTimestamp : endTime - width;
            var windowStart = startTime <= EventKeys.MinTimestamp ? lower : Max(lower, EventKeys.EventRow(EventKeys.From(startTime)));
            var window = new List<TableEntity>();
            var overflow = false;
            await foreach (var row in _events.QueryAsync<TableEntity>(Filter(partition, conversation, type, windowStart, windowEnd), maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                window.Add(row);
                if (window.Count > MaxRowsPerRequest / 2)
                {
                    overflow = true;
                    break;
                }
            }
            read += window.Count;
            if (overflow && width > TimeSpan.FromMilliseconds(1))
            {
                width /= 8;
                continue;
            }
            window.Reverse();
            found.AddRange(window);
            windowEnd = windowStart;
            endTime = startTime;
            width = width > TimeSpan.FromDays(365 * 100) ? width : width * 8;
        }
        return found;
    }

    private static string Max(string a, string b) => string.CompareOrdinal(a, b) >= 0 ? a : b;

    private static string Filter(string partition, string conversation, string? type, string from, string before) => type is null
        ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {before} and ConversationId eq {conversation}")
        : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {before} and ConversationId eq {conversation} and EventType eq {type}");

    /// <summary>Where a conversation page ended: the last row served, checked to lie inside the query's range.</summary>
    private static class ConversationCursor
    {
        private const string Prefix = "c1:";

        public static string Encode(string rowKey) => Domain.Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(Prefix + rowKey));

        public static string? Decode(string? cursor, string lower, string upper)
        {
            if (cursor is null)
            {
                return null;
            }
            var text = Domain.Base64Url.TryDecode(cursor) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
            if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal)
                || string.CompareOrdinal(text[Prefix.Length..], lower) < 0 || string.CompareOrdinal(text[Prefix.Length..], upper) >= 0)
            {
                throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
            }
            return text[Prefix.Length..];
        }
    }
}
