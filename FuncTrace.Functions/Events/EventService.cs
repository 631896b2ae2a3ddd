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

    /// <summary>One transaction's request stays under storage's 4 MiB, with room for the envelope.</summary>
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    /// <summary>
    /// A batch's rows go in transactions of at most this many, several at once: storage works on them side by side,
    /// where one 100-row transaction is worked through row after row (measured on Azurite: 4 × 25 at once stores about
    /// 1.5× the rows a second of 1 × 100).
    /// </summary>
    private const int RowsPerTransaction = 25;

    private const int TransactionsInFlight = 4;

    /// <summary>
    /// Writes a new event's row — alone, or with rows of its partition that belong with it in one transaction (a session
    /// numbers its events so) — and returns the row as stored. A 409 means the row exists: a replay, or this attempt's own.
    /// </summary>
    public delegate Task<TableEntity> RowWrite(TableEntity row, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the event; a replay of the same id and body returns the stored one with <c>Created = false</c>. A replay that
    /// finds the pointer of an attempt that died before its event was written writes the event now (<c>Created = true</c>).
    /// </summary>
    public Task<(EventRecord Event, bool Created)> CreateAsync(string tenant, NewEvent item, CancellationToken cancellationToken = default) =>
        CreateAsync(tenant, item, AddAloneAsync, cancellationToken);

    /// <summary>Stores the event through <paramref name="write"/>, with the same idempotency, replay and slot rules.</summary>
    public async Task<(EventRecord Event, bool Created)> CreateAsync(string tenant, NewEvent item, RowWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var prepared = await PrepareAsync(tenant, item, time.GetUtcNow(), cancellationToken);
        if (prepared.ClientId is not null && await ClaimIdAsync(tenant, prepared, cancellationToken) is { } earlier)
        {
            return await CompleteReplayAsync(tenant, prepared, earlier, write, cancellationToken);
        }
        return EventKeys.IsPacked(prepared.SortKey)
            ? await InsertPackedAsync(tenant, prepared, write == AddAloneAsync ? null : write, cancellationToken)
            : await InsertAsync(tenant, prepared, write, cancellationToken);
    }

    private async Task<TableEntity> AddAloneAsync(TableEntity row, CancellationToken cancellationToken)
    {
        await _events.AddEntityAsync(row, cancellationToken);
        return row;
    }

    /// <summary>
    /// Stores many events: one pointer insert per client-chosen id, then each conversation's rows in transactions of up
    /// to <see cref="RowsPerTransaction"/> (and 3 MiB), <see cref="TransactionsInFlight"/> at a time. A row the service refuses as existing is handled alone, as a replay or a conflict; the rest is sent again.
    /// </summary>
    public async Task<IReadOnlyList<BatchItemResult>> CreateBatchAsync(string tenant, IReadOnlyList<NewEvent> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new BatchItemResult?[items.Count];
        var pending = new List<(int Index, Prepared Prepared)>();
        // One time for the whole batch, so its events without a timestamp share a millisecond and so their pages.
        var now = time.GetUtcNow();
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                pending.Add((i, await PrepareAsync(tenant, items[i], now, cancellationToken)));
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

        // Client-chosen ids: the pointer decides whether this is the first time; a replay is answered on its own, and so
        // is the id of a packed event (a client sending again what a batch answered).
        var fresh = new List<(int Index, Prepared Prepared)>();
        foreach (var (index, prepared) in pending)
        {
            try
            {
                if (prepared.ClientId is not null && await ClaimIdAsync(tenant, prepared, cancellationToken) is { } earlier)
                {
                    var (record, created) = await CompleteReplayAsync(tenant, prepared, earlier, AddAloneAsync, cancellationToken);
                    results[index] = BatchItemResult.Stored(index, record, created);
                    continue;
                }
                if (EventKeys.IsPacked(prepared.SortKey))
                {
                    var (record, created) = await InsertPackedAsync(tenant, prepared, write: null, cancellationToken);
                    results[index] = BatchItemResult.Stored(index, record, created);
                    continue;
                }
                fresh.Add((index, prepared));
            }
            catch (FuncTraceException conflict)
            {
                results[index] = BatchItemResult.Refused(index, prepared.Record.Id, conflict);
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
            var rows = fresh.Where(f => !Packable(items[f.Index], f.Prepared)).Select(f => Pending.Single(f.Index, f.Prepared, f.Prepared.Row(tenant, ticket.Slot)))
                .Concat(Pages(fresh.Where(f => Packable(items[f.Index], f.Prepared)), ticket.Slot));
            var chunks = rows.GroupBy(r => r.Row.PartitionKey, StringComparer.Ordinal).SelectMany(Transactions);
            await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = TransactionsInFlight },
                async (chunk, _) => await SubmitChunkAsync(tenant, chunk, results, written, uncertain, cancellationToken));
        }
        finally
        {
            ticket.Complete(written, uncertain.Count == 0 ? null : ct => ResolveAsync(tenant, uncertain, ticket.Slot, ct));
        }
        return results.Select(r => r!).ToList();
    }

    /// <summary>
    /// A row ready to write (tagged with the batch's slot) and the batch items it holds: one, or a page's, each with its
    /// record as stored (a packed event's id is its place in the page).
    /// </summary>
    private sealed record Pending(IReadOnlyList<(int Index, Prepared Prepared, EventRecord Record)> Events, TableEntity Row)
    {
        public static Pending Single(int index, Prepared prepared, TableEntity row) => new([(index, prepared, prepared.Record)], row);

        public bool IsPage => PackedEvents.IsPage(Row);
    }

    /// <summary>An item a page may hold: its id is ours to give, and its data is inline.</summary>
    private static bool Packable(NewEvent item, Prepared prepared) => item.Id is null && prepared.DataJson is not null;

    /// <summary>Packable items cut into pages: per conversation and millisecond, at most <see cref="PackedEvents.MaxMembers"/> and <see cref="PackedEvents.MaxChars"/> a page.</summary>
    private static IEnumerable<Pending> Pages(IEnumerable<(int Index, Prepared Prepared)> items, string slot)
    {
        foreach (var group in items.GroupBy(i => (i.Prepared.PartitionKey, i.Prepared.Record.Timestamp.ToUnixTimeMilliseconds())))
        {
            var pages = new List<List<(int Index, Prepared Prepared)>> { new() };
            var chars = 0;
            foreach (var item in group)
            {
                var size = item.Prepared.PageChars;
                if (pages[^1].Count > 0 && (pages[^1].Count == PackedEvents.MaxMembers || chars + size > PackedEvents.MaxChars))
                {
                    pages.Add([]);
                    chars = 0;
                }
                pages[^1].Add(item);
                chars += size;
            }
            var first = pages[0][0].Prepared.Record;
            var keys = EventKeys.NewPageKeys(first.Timestamp, first.ConversationId, pages.Count);
            for (var i = 0; i < pages.Count; i++)
            {
                yield return Page(pages[i], keys[i], slot);
            }
        }
    }

    /// <summary>A page of <paramref name="items"/> (of one conversation and millisecond) under <paramref name="pageKey"/>.</summary>
    private static Pending Page(IReadOnlyList<(int Index, Prepared Prepared)> items, string pageKey, string slot)
    {
        var first = items[0].Prepared;
        var members = items.Select((item, i) => PackedEvents.NewMember(pageKey, i, item.Prepared.Record, item.Prepared.DataJson!, item.Prepared.BodyHash)).ToList();
        var row = PackedEvents.Row(first.PartitionKey, pageKey, first.Record.ConversationId, members, slot, first.Attempt);
        return new(items.Select((item, i) => (item.Index, item.Prepared, members[i].Record)).ToList(), row);
    }

    /// <summary>A conversation's rows cut into transactions of at most <see cref="RowsPerTransaction"/> rows and <see cref="MaxTransactionBytes"/>.</summary>
    private static IEnumerable<List<Pending>> Transactions(IEnumerable<Pending> rows)
    {
        var chunk = new List<Pending>();
        var bytes = 0;
        foreach (var row in rows)
        {
            var size = EventRows.WireBytes(row.Row);
            if (chunk.Count > 0 && (chunk.Count == RowsPerTransaction || bytes + size > MaxTransactionBytes))
            {
                yield return chunk;
                (chunk, bytes) = ([], 0);
            }
            chunk.Add(row);
            bytes += size;
        }
        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private async Task SubmitChunkAsync(string tenant, List<Pending> chunk, BatchItemResult?[] results, List<ViewItem> written, List<TableEntity> uncertain, CancellationToken cancellationToken)
    {
        while (chunk.Count > 0)
        {
            try
            {
                await _events.SubmitTransactionAsync(chunk.Select(c => new TableTransactionAction(TableTransactionActionType.Add, c.Row)), CancellationToken.None);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedTransactionActionIndex is { } failed)
            {
                var refused = chunk[failed];
                var attempt = refused.Row.GetString(EventRows.AttemptProperty);
                if (refused.IsPage)
                {
                    var stored = (await _events.GetEntityIfExistsAsync<TableEntity>(refused.Row.PartitionKey, refused.Row.RowKey, cancellationToken: cancellationToken)).ValueOrNull();
                    if (!EventRows.WrittenBy(stored, attempt))
                    {
                        // Another page of this conversation and millisecond drew the same random digits: draw again.
                        var first = refused.Events[0].Prepared.Record;
                        chunk[failed] = Page(refused.Events.Select(e => (e.Index, e.Prepared)).ToList(), EventKeys.NewPageKey(first.Timestamp, first.ConversationId), refused.Row.GetString("Slot"));
                        continue;
                    }
                }
                else
                {
                    var (index, prepared, _) = refused.Events[0];
                    var existing = await reader.GetRowAsync(refused.Row.PartitionKey, prepared.SortKey, cancellationToken);
                    if (!EventRows.WrittenBy(existing, attempt))
                    {
                        chunk.RemoveAt(failed);
                        results[index] = await ReplayResultAsync(index, prepared, existing, cancellationToken);
                        continue;
                    }
                }
                // The row is this very transaction's: an earlier try of it was stored and only its answer was lost.
            }
            catch (Exception ex) when (StorageOutcome.IsUncertain(ex))
            {
                lock (uncertain)
                {
                    uncertain.AddRange(chunk.Select(c => c.Row));
                }
                var unavailable = new FuncTraceException(ErrorCode.ServiceUnavailable, "Storage did not answer; the event may or may not be stored, retry with its id.");
                foreach (var (index, _, record) in chunk.SelectMany(c => c.Events))
                {
                    results[index] = BatchItemResult.Refused(index, record.Id, unavailable);
                }
                return;
            }
            foreach (var (index, _, record) in chunk.SelectMany(c => c.Events))
            {
                results[index] = BatchItemResult.Stored(index, record, created: true);
            }
            var items = chunk.SelectMany(c => EventRows.ToViewItems(tenant, c.Row)).ToList();
            lock (written)
            {
                written.AddRange(items);
            }
            return;
        }
    }

    private async Task<BatchItemResult> ReplayResultAsync(int index, Prepared prepared, TableEntity? existing, CancellationToken cancellationToken)
    {
        try
        {
            return BatchItemResult.Stored(index, await ReplayOfRowAsync(prepared, existing, cancellationToken), created: false);
        }
        catch (FuncTraceException conflict)
        {
            return BatchItemResult.Refused(index, prepared.Record.Id, conflict);
        }
    }

    /// <summary>
    /// Inserts a client id's pointer. Null when this attempt now owns the id; otherwise the pointer an earlier attempt left
    /// (a replay, or an attempt that died before writing its event).
    /// </summary>
    private async Task<TableEntity?> ClaimIdAsync(string tenant, Prepared prepared, CancellationToken cancellationToken)
    {
        var pointer = prepared.Pointer(tenant);
        try
        {
            await _events.AddEntityAsync(pointer, CancellationToken.None);
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await _events.GetEntityIfExistsAsync<TableEntity>(pointer.PartitionKey, pointer.RowKey, cancellationToken: cancellationToken)).ValueOrNull()
                ?? throw FuncTraceException.Conflict($"Event '{prepared.Record.Id}' could not be stored; retry.");
            return EventRows.WrittenBy(existing, prepared.Attempt) ? null : existing;
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
            TableEntity? existing;
            try
            {
                existing = await reader.GetRowAsync(prepared.PartitionKey, prepared.SortKey, cancellationToken);
            }
            catch (Exception readFailed) when (StorageOutcome.IsUncertain(readFailed))
            {
                ticket.Complete([], ct => ResolveAsync(tenant, [row], ticket.Slot, ct));
                throw;
            }
            if (!EventRows.WrittenBy(existing, prepared.Attempt))
            {
                ticket.Abandon();
                return (await ReplayOfRowAsync(prepared, existing, cancellationToken), false);
            }
            // Ours: the storage client retried an insert whose answer was lost, and met the row its first try stored.
            row = existing!;
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
    /// An event whose id names a place in a page (a client sending again what a batch answered). Held there: a replay.
    /// Not held by a page that exists: that batch stored the page without it, so it is stored on its own. In no page: the
    /// batch stored nothing of that page, so the page is written now holding this event alone — under the page's key, so
    /// a batch still under way cannot store the event a second time.
    /// </summary>
    private async Task<(EventRecord Event, bool Created)> InsertPackedAsync(string tenant, Prepared prepared, RowWrite? write, CancellationToken cancellationToken)
    {
        var pageKey = prepared.SortKey[..EventKeys.PageKeyLength];
        while (true)
        {
            var page = (await _events.GetEntityIfExistsAsync<TableEntity>(prepared.PartitionKey, EventKeys.EventRow(pageKey), cancellationToken: cancellationToken)).ValueOrNull();
            if (page is not null && PackedEvents.EventOrNull(page, prepared.SortKey) is { } held)
            {
                return (await ReplayOfRowAsync(prepared, held, cancellationToken), false);
            }
            if (page is not null || prepared.DataJson is null)
            {
                return await InsertAsync(tenant, prepared, write ?? AddAloneAsync, cancellationToken);
            }
            if (write is not null)
            {
                throw FuncTraceException.Conflict($"Event id '{prepared.Record.Id}' names an event of a batch that was not stored; send it again through POST /api/events or POST /api/events/batch.");
            }
            var ticket = await journal.EnlistAsync([prepared.PartitionKey], prepared.ViewBytes, cancellationToken);
            var index = (int)EventKeys.ValueOf(prepared.SortKey.AsSpan(EventKeys.PageKeyLength))!.Value;
            var member = PackedEvents.NewMember(pageKey, index, prepared.Record, prepared.DataJson, prepared.BodyHash);
            var row = PackedEvents.Row(prepared.PartitionKey, pageKey, prepared.Record.ConversationId, [member], ticket.Slot, prepared.Attempt);
            try
            {
                await _events.AddEntityAsync(row, CancellationToken.None);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                TableEntity? stored;
                try
                {
                    stored = (await _events.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken)).ValueOrNull();
                }
                catch (Exception readFailed) when (StorageOutcome.IsUncertain(readFailed))
                {
                    ticket.Complete([], ct => ResolveAsync(tenant, [row], ticket.Slot, ct));
                    throw;
                }
                if (!EventRows.WrittenBy(stored, prepared.Attempt))
                {
                    // The batch's page was stored in the meantime: look again.
                    ticket.Abandon();
                    continue;
                }
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
            ticket.Complete(EventRows.ToViewItems(tenant, row).ToList());
            return (member.Record, true);
        }
    }

    /// <summary>
    /// A client id whose pointer an earlier attempt left: the same body is a replay. If that attempt stored its pointer
    /// but not its event (it died in between), the event is written now, from the time and sort key the pointer kept.
    /// </summary>
    private async Task<(EventRecord Event, bool Created)> CompleteReplayAsync(string tenant, Prepared prepared, TableEntity pointer, RowWrite write, CancellationToken cancellationToken)
    {
        if (!string.Equals(pointer.GetString("BodyHash"), prepared.BodyHash, StringComparison.Ordinal))
        {
            throw DifferentBody(prepared.Record.Id);
        }
        var original = prepared.At(pointer.GetString("SortKey"), pointer.GetDateTimeOffset("EventTime") ?? prepared.Record.Timestamp);
        if (await reader.GetRowAsync(original.PartitionKey, original.SortKey, cancellationToken) is { } stored)
        {
            return (await ReplayOfRowAsync(original, stored, cancellationToken), false);
        }
        return await InsertAsync(tenant, original, write, cancellationToken);
    }

    /// <summary>The event's row exists (written by another attempt): the same body is a replay, another a conflict.</summary>
    private async Task<EventRecord> ReplayOfRowAsync(Prepared prepared, TableEntity? existing, CancellationToken cancellationToken)
    {
        if (existing is null)
        {
            throw FuncTraceException.Conflict($"Event '{prepared.Record.Id}' could not be stored; retry.");
        }
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
            var stored = (await _events.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken)).ValueOrNull();
            if (EventRows.WrittenBy(stored, row.GetString(EventRows.AttemptProperty) ?? string.Empty))
            {
                items.AddRange(EventRows.ToViewItems(tenant, stored!));
            }
        }
        return items;
    }

    private static FuncTraceException DifferentBody(string id) =>
        new(ErrorCode.Conflict, $"An event with id '{id}' already exists with a different body.", new Dictionary<string, object?> { ["id"] = id });

    private async Task<Prepared> PrepareAsync(string tenant, NewEvent item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        EventValidation.Validate(item);
        var timestamp = item.Timestamp ?? now;
        string sortKey;
        string? clientId = null;
        if (item.Id is null)
        {
            sortKey = EventKeys.NewSortKey(timestamp, item.ConversationId);
        }
        else if (EventKeys.IsSortKey(item.Id) && EventKeys.ConversationHashOf(item.Id) == EventKeys.Hash(item.ConversationId))
        {
            // An id of our own shape, of this conversation, names its row: a replay of a generated id meets the row itself.
            sortKey = item.Id;
        }
        else
        {
            // Any other id is the client's, found through its pointer. A ULID has our shape but not this conversation's
            // hash; it must not be the generated id of an event of another conversation.
            if (EventKeys.IsSortKey(item.Id)
                && await reader.GetRowAsync(EventKeys.PartitionOf(tenant, EventKeys.ConversationHashOf(item.Id)), item.Id, cancellationToken) is { } taken
                && taken.GetString("Id") == item.Id)
            {
                throw DifferentBody(item.Id);
            }
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
        return new Prepared(record, EventKeys.ConversationPartition(tenant, item.ConversationId), sortKey, clientId, bodyHash, dataJson, dataBlob, EventRows.NewAttempt());
    }

    /// <summary>An event ready to write: its record, where it goes, what the client's id and body were, and this attempt's id.</summary>
    private sealed record Prepared(EventRecord Record, string PartitionKey, string SortKey, string? ClientId, string BodyHash, string? DataJson, string? DataBlob, string Attempt)
    {
        /// <summary>At least the characters the event takes in a page: its data, its document's metadata and the rest of it.</summary>
        public int PageChars => (DataJson?.Length ?? 0) + (Record.Metadata is { } metadata ? metadata.GetRawText().Length : 0) + 1_000;

        /// <summary>About what the event adds to its slot's views work (it never carries the data).</summary>
        public int ViewBytes => 400 + Record.ConversationId.Length + Record.EventType.Length;

        public TableEntity Row(string tenant, string slot) => EventRows.Row(tenant, SortKey, Record, DataJson, DataBlob, BodyHash, slot, Attempt);

        public TableEntity Pointer(string tenant) => EventRows.Pointer(tenant, ClientId!, PartitionKey, SortKey, BodyHash, Record.Timestamp, Attempt);

        public Prepared At(string sortKey, DateTimeOffset timestamp) => this with { SortKey = sortKey, Record = Record with { Timestamp = timestamp } };
    }
}
