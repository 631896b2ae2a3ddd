using Azure.Data.Tables;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Sessions;

/// <summary>
/// A session's events in the order they were stored, read through its <c>q|</c> rows (<see cref="SessionRows"/>): a range
/// of the session's partition, then a point read of each event. Sequences have no gaps, so a page from an offset (without
/// a type filter) and the live tail's "after n" are ranges that start exactly where they should.
/// </summary>
public sealed class SessionEvents(TableServiceClient tables, StorageNames names, EventReader reader)
{
    /// <summary>With a type filter the skipped rows are still read, so the offset is bounded.</summary>
    public const int MaxOffset = 10_000;

    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));

    /// <summary>A page of the session's events from <paramref name="offset"/> (of those of <paramref name="eventType"/>, when given); whether more follow.</summary>
    public async Task<(IReadOnlyList<EventRecord> Events, bool HasMore)> ListAsync(
        string tenant, string sessionId, string? eventType, int offset, int limit, CancellationToken cancellationToken = default)
    {
        if (offset is < 0 or > MaxOffset)
        {
            throw FuncTraceException.Validation($"'offset' must be between 0 and {MaxOffset}.", "offset");
        }
        var partition = EventKeys.ConversationPartition(tenant, sessionId);
        var rows = eventType is null
            ? await SequenceRowsAsync(partition, offset + 1, null, limit + 1, cancellationToken)
            : (await SequenceRowsAsync(partition, 1, eventType, offset + limit + 1, cancellationToken)).Skip(offset).ToList();
        return (await ReadEventsAsync(rows.Take(limit).ToList(), cancellationToken), rows.Count > limit);
    }

    /// <summary>Up to <paramref name="limit"/> events numbered after <paramref name="after"/>, in order.</summary>
    public async Task<IReadOnlyList<EventRecord>> ReadAfterAsync(string tenant, string sessionId, long after, int limit, CancellationToken cancellationToken = default) =>
        await ReadEventsAsync(await SequenceRowsAsync(EventKeys.ConversationPartition(tenant, sessionId), after + 1, null, limit, cancellationToken), cancellationToken);

    private async Task<List<TableEntity>> SequenceRowsAsync(string partition, long from, string? eventType, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {SessionRows.SequenceKey(from)} and RowKey lt {SessionRows.SequenceEnd}");
        if (eventType is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"EventType eq {eventType}");
        }
        var rows = new List<TableEntity>();
        await foreach (var row in _events.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= max)
            {
                break;
            }
        }
        return rows;
    }

    private async Task<IReadOnlyList<EventRecord>> ReadEventsAsync(IReadOnlyList<TableEntity> sequenceRows, CancellationToken cancellationToken)
    {
        var rows = await reader.GetRowsAsync(sequenceRows.Select(s => (s.PartitionKey, s.GetString("SortKey"))).ToList(), cancellationToken);
        return await reader.ReadAllAsync(rows.Where(r => r is not null).Select(r => r!).ToList(), cancellationToken);
    }
}
