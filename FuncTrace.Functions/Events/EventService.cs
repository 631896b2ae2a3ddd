using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Events;

/// <summary>
/// Stores events. A generated id costs one insert, in the conversation's own partition; a client-chosen id (or an
/// <c>Idempotency-Key</c>) first inserts its pointer, whose key is the id, so a replay of the same id and body answers with
/// the stored event and a different body with the same id is a conflict. Every write enlists in an ingest slot first
/// (<see cref="IngestJournal"/>), so the derived views follow without the request waiting for them.
/// </summary>
public sealed class EventService(
    TableServiceClient tables,
    StorageNames names,
    PayloadStore payloads,
    IngestJournal journal,
    EventReader reader,
    IOptions<EventOptions> options,
    TimeProvider time)
{
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));
    private readonly IReadOnlySet<string> _reviewTypes = options.Value.ReviewTypes();
    private readonly int _blobThreshold = options.Value.DataBlobThresholdBytes;

    /// <summary>
    /// Writes a new event's row — alone, or with rows of its partition that belong with it in one transaction (a session
    /// numbers its events so) — and returns the row as stored. A 409 means the row exists: a replay.
    /// </summary>
    public delegate Task<TableEntity> RowWrite(TableEntity row, CancellationToken cancellationToken);

    /// <summary>Stores the event; a replay of the same id and body returns the stored one with <c>Created = false</c>.</summary>
    public Task<(EventRecord Event, bool Created)> CreateAsync(string tenant, NewEvent item, CancellationToken cancellationToken = default) =>
        CreateAsync(tenant, item, AddAloneAsync, cancellationToken);

    /// <summary>Stores the event through <paramref name="write"/>, with the same idempotency, replay and slot rules.</summary>
    public async Task<(EventRecord Event, bool Created)> CreateAsync(string tenant, NewEvent item, RowWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var prepared = await PrepareAsync(tenant, item, cancellationToken);
        if (prepared.ClientId is null)
        {
            return await InsertAsync(tenant, prepared, write, cancellationToken);
        }
        try
        {
            await _events.AddEntityAsync(prepared.Pointer(tenant), CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await CompleteReplayAsync(tenant, prepared, write, cancellationToken), false);
        }
        return await InsertAsync(tenant, prepared, write, cancellationToken);
    }

    private async Task<TableEntity> AddAloneAsync(TableEntity row, CancellationToken cancellationToken)
    {
        await _events.AddEntityAsync(row, cancellationToken);
        return row;
    }

    /// <summary>
    /// Stores many events: one pointer insert per client-chosen id, then each conversation's rows in transactions of up
    /// to 100. A row the service refuses as existing is handled alone, as a replay or a conflict; the rest is sent again.
    /// </summary>
    public async Task<IReadOnlyList<BatchItemResult>> CreateBatchAsync(string tenant, IReadOnlyList<NewEvent> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new BatchItemResult?[items.Count];
        var pending = new List<(int Index, Prepared Prepared)>();
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                pending.Add((i, await PrepareAsync(tenant, items[i], cancellationToken)));
            }
            catch (FuncTraceException ex)
            {
                results[i] = BatchItemResult.Refused(i, items[i].Id, ex);
            }
        }
        foreach (var duplicate in pending.GroupBy(p => p.Prepared.Record.Id, StringComparer.Ordinal).SelectMany(g => g.Skip(1)))
        {
            results[duplicate.Index] = BatchItemResult.Refused(duplicate.Index, duplicate.Prepared.Record.Id,
                FuncTraceException.Conflict($"Event id '{duplicate.Prepared.Record.Id}' appears more than once in this batch."));
        }
        pending.RemoveAll(p => results[p.Index] is not null);

        // Client-chosen ids: the pointer decides whether this is the first time; a replay is answered on its own.
        var fresh = new List<(int Index, Prepared Prepared)>();
        foreach (var (index, prepared) in pending)
        {
            if (prepared.ClientId is null)
            {
                fresh.Add((index, prepared));
                continue;
            }
            try
            {
                await _events.AddEntityAsync(prepared.Pointer(tenant), CancellationToken.None);
                fresh.Add((index, prepared));
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                results[index] = await ReplayResultAsync(tenant, index, prepared, cancellationToken);
            }
        }
        if (fresh.Count == 0)
        {
            return results.Select(r => r!).ToList();
        }

        var ticket = await journal.EnlistAsync(fresh.Select(f => f.Prepared.PartitionKey).Distinct().ToList(), fresh.Sum(f => f.Prepared.ViewBytes), cancellationToken);
        var written = new List<ViewItem>();
        var uncertain = new List<TableEntity>();
        try
        {
            foreach (var conversation in fresh.GroupBy(f => f.Prepared.PartitionKey, StringComparer.Ordinal))
            {
                foreach (var chunk in conversation.Chunk(100))
                {
                    await SubmitChunkAsync(tenant, chunk.ToList(), ticket.Slot, results, written, uncertain, cancellationToken);
                }
            }
        }
        finally
        {
            ticket.Complete(written, uncertain.Count == 0 ? null : ct => ResolveAsync(tenant, uncertain, ticket.Slot, ct));
        }
        return results.Select(r => r!).ToList();
    }

    private async Task SubmitChunkAsync(string tenant, List<(int Index, Prepared Prepared)> chunk, string slot,
        BatchItemResult?[] results, List<ViewItem> written, List<TableEntity> uncertain, CancellationToken cancellationToken)
    {
        while (chunk.Count > 0)
        {
            var rows = chunk.Select(c => c.Prepared.Row(tenant, slot)).ToList();
            try
            {
                await _events.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), CancellationToken.None);
                for (var i = 0; i < chunk.Count; i++)
                {
                    results[chunk[i].Index] = BatchItemResult.Stored(chunk[i].Index, chunk[i].Prepared.Record, created: true);
                    written.Add(EventRows.ToViewItem(tenant, rows[i]));
                }
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is { } failed)
            {
                TableEntity? existing;
                try
                {
                    existing = await reader.GetRowAsync(rows[failed].PartitionKey, EventRows.SortKeyOf(rows[failed]), CancellationToken.None);
                }
                catch
                {
                    uncertain.AddRange(rows);
                    throw;
                }
                if (existing is not null && existing.GetString("Slot") == slot)
                {
                    // This very transaction committed and its answer was lost; the storage client's retry met its own rows.
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        results[chunk[i].Index] = BatchItemResult.Stored(chunk[i].Index, chunk[i].Prepared.Record, created: true);
                        written.Add(EventRows.ToViewItem(tenant, rows[i]));
                    }
                    return;
                }
                var (index, prepared) = chunk[failed];
                chunk.RemoveAt(failed);
                results[index] = await ReplayResultAsync(tenant, index, prepared, cancellationToken);
            }
            catch (Exception ex) when (StorageOutcome.IsUncertain(ex))
            {
                uncertain.AddRange(rows);
                var unavailable = new FuncTraceException(ErrorCode.ServiceUnavailable, "Storage did not answer; the event may or may not be stored, retry with its id.");
                chunk.ForEach(c => results[c.Index] = BatchItemResult.Refused(c.Index, c.Prepared.Record.Id, unavailable));
                return;
            }
        }
    }

    private async Task<BatchItemResult> ReplayResultAsync(string tenant, int index, Prepared prepared, CancellationToken cancellationToken)
    {
        try
        {
            return BatchItemResult.Stored(index, await CompleteReplayAsync(tenant, prepared, AddAloneAsync, cancellationToken), created: false);
        }
        catch (FuncTraceException conflict)
        {
            return BatchItemResult.Refused(index, prepared.Record.Id, conflict);
        }
    }

    /// <summary>The insert of a new event's row, enlisted in a slot; an existing row is a replay (or a conflict).</summary>
    private async Task<(EventRecord Event, bool Created)> InsertAsync(string tenant, Prepared prepared, RowWrite write, CancellationToken cancellationToken)
    {
        var ticket = await journal.EnlistAsync([prepared.PartitionKey], prepared.ViewBytes, cancellationToken);
        var row = prepared.Row(tenant, ticket.Slot);
        try
        {
            // Not the request's token: a client that hangs up must not leave the write half-known.
            row = await write(row, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The row exists. If it carries this slot, it is this write's own: the insert committed, its answer was lost,
            // and the storage client's retry met it. Then it is new, and counted; otherwise it is a replay or a conflict.
            TableEntity? existing;
            try
            {
                existing = await reader.GetRowAsync(row.PartitionKey, prepared.SortKey, CancellationToken.None);
            }
            catch
            {
                ticket.Complete([], ct => ResolveAsync(tenant, [row], ticket.Slot, ct));
                throw;
            }
            if (existing is not null && existing.GetString("Slot") == ticket.Slot)
            {
                ticket.Complete([EventRows.ToViewItem(tenant, existing)]);
                return (prepared.Record with { Sequence = existing.GetInt64("Sequence") }, true);
            }
            ticket.Abandon();
            return (await ReplayOfRowAsync(tenant, prepared, cancellationToken), false);
        }
        catch (Exception ex) when (StorageOutcome.IsUncertain(ex))
        {
            ticket.Complete([], ct => ResolveAsync(tenant, [row], ticket.Slot, ct));
            throw;
        }
        catch
        {
            ticket.Abandon();
            throw;
        }
        ticket.Complete([EventRows.ToViewItem(tenant, row)]);
        return (prepared.Record with { Sequence = row.GetInt64("Sequence") }, true);
    }

    /// <summary>
    /// A client id whose pointer exists: the same body is a replay. If the first attempt stored its pointer but not its
    /// event (it died in between), the event is written now, from the time and sort key the pointer kept.
    /// </summary>
    private async Task<EventRecord> CompleteReplayAsync(string tenant, Prepared prepared, RowWrite write, CancellationToken cancellationToken)
    {
        var pointer = (await _events.GetEntityIfExistsAsync<TableEntity>(EventKeys.PointerPartition(tenant, prepared.ClientId!), prepared.ClientId!, cancellationToken: cancellationToken)).ValueOrNull()
            ?? throw FuncTraceException.Conflict($"Event '{prepared.Record.Id}' could not be stored; retry.");
        if (!string.Equals(pointer.GetString("BodyHash"), prepared.BodyHash, StringComparison.Ordinal))
        {
            throw DifferentBody(prepared.Record.Id);
        }
        var original = prepared.At(pointer.GetString("SortKey"), pointer.GetDateTimeOffset("EventTime") ?? prepared.Record.Timestamp);
        if (await reader.GetRowAsync(original.PartitionKey, original.SortKey, cancellationToken) is { } stored)
        {
            return await reader.ReadAsync(stored, cancellationToken);
        }
        return (await InsertAsync(tenant, original, write, cancellationToken)).Event;
    }

    /// <summary>A generated-shape id whose row exists: the same body is a replay.</summary>
    private async Task<EventRecord> ReplayOfRowAsync(string tenant, Prepared prepared, CancellationToken cancellationToken)
    {
        var existing = await reader.GetRowAsync(prepared.PartitionKey, prepared.SortKey, cancellationToken)
            ?? throw FuncTraceException.Conflict($"Event '{prepared.Record.Id}' could not be stored; retry.");
        if (!string.Equals(existing.GetString("BodyHash"), prepared.BodyHash, StringComparison.Ordinal))
        {
            throw DifferentBody(prepared.Record.Id);
        }
        return await reader.ReadAsync(existing, cancellationToken);
    }

    /// <summary>Which of <paramref name="rows"/> were stored under this slot after all: read back when the slot is sealed.</summary>
    private async Task<IReadOnlyList<ViewItem>> ResolveAsync(string tenant, IReadOnlyList<TableEntity> rows, string slot, CancellationToken cancellationToken)
    {
        var items = new List<ViewItem>();
        foreach (var row in rows)
        {
            if (await reader.GetRowAsync(row.PartitionKey, EventRows.SortKeyOf(row), cancellationToken) is { } stored && stored.GetString("Slot") == slot)
            {
                items.Add(EventRows.ToViewItem(tenant, stored));
            }
        }
        return items;
    }

    private static FuncTraceException DifferentBody(string id) =>
        new(ErrorCode.Conflict, $"An event with id '{id}' already exists with a different body.", new Dictionary<string, object?> { ["id"] = id });

    private async Task<Prepared> PrepareAsync(string tenant, NewEvent item, CancellationToken cancellationToken)
    {
        EventValidation.Validate(item);
        var now = time.GetUtcNow();
        var timestamp = item.Timestamp ?? now;
        string sortKey;
        string? clientId = null;
        if (item.Id is null)
        {
            sortKey = EventKeys.NewSortKey(timestamp, item.ConversationId);
        }
        else if (EventKeys.IsSortKey(item.Id))
        {
            // An id of our own shape names its row: it must be this conversation's, and a replay meets the row itself.
            if (EventKeys.ConversationHashOf(item.Id) != EventKeys.Hash(item.ConversationId))
            {
                throw FuncTraceException.Validation("'id' has the shape of a generated id of another conversation; choose another id.", "id");
            }
            sortKey = item.Id;
        }
        else
        {
            clientId = item.Id;
            sortKey = EventKeys.SortKeyFor(item.Id, timestamp, item.ConversationId);
        }
        var requiresFeedback = item.RequiresFeedback ?? _reviewTypes.Contains(item.EventType);
        var record = new EventRecord(
            item.Id ?? sortKey, item.ConversationId, item.EventType, timestamp, item.Data, requiresFeedback, item.Role, item.Model, item.Usage,
            now, requiresFeedback ? EventRows.ReviewPending : null, item.User, item.Metadata, null, item.ParentId);
        var bodyHash = EventRows.BodyHash(item);
        var dataJson = EventRows.CompactJson(item.Data);
        string? dataBlob = null;
        if (Encoding.UTF8.GetByteCount(dataJson) > _blobThreshold)
        {
            dataBlob = PayloadStore.BlobName(tenant, sortKey, bodyHash);
            await payloads.SaveAsync(dataBlob, dataJson, cancellationToken);
            dataJson = null;
        }
        return new Prepared(record, EventKeys.ConversationPartition(tenant, item.ConversationId), sortKey, clientId, bodyHash, dataJson, dataBlob);
    }

    /// <summary>An event ready to write: its record, where it goes, and what the client's id and body were.</summary>
    private sealed record Prepared(EventRecord Record, string PartitionKey, string SortKey, string? ClientId, string BodyHash, string? DataJson, string? DataBlob)
    {
        /// <summary>About what the event adds to its slot's views work (it never carries the data).</summary>
        public int ViewBytes => 400 + Record.ConversationId.Length + Record.EventType.Length;

        public TableEntity Row(string tenant, string slot) => EventRows.Row(tenant, SortKey, Record, DataJson, DataBlob, BodyHash, slot);

        public TableEntity Pointer(string tenant) => EventRows.Pointer(tenant, ClientId!, PartitionKey, SortKey, BodyHash, Record.Timestamp);

        public Prepared At(string sortKey, DateTimeOffset timestamp) => this with { SortKey = sortKey, Record = Record with { Timestamp = timestamp } };
    }
}
