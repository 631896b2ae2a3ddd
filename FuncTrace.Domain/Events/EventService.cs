using System.Text;
using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Events;

/// <summary>
/// Stores and reads events. An event's rows (record + index copies, see <see cref="EventKeys"/>) are written
/// in one entity-group transaction, together with the aggregate rows they change (<see cref="EventAggregates"/>),
/// so they appear together or not at all; the record row's insert is what makes a client-chosen id idempotent and
/// keeps a replay from counting twice.
/// </summary>
public sealed class EventService(StorageCatalog storage, PayloadStore payloads, EventAggregates aggregates, EventOptions options, TimeProvider time)
{
    private readonly TableClient _table = storage.Table(StorageNames.EventsTable);
    private readonly IReadOnlySet<string> _reviewTypes = options.ReviewTypes();

    /// <summary>Stores the event; a replay of the same id and body returns the stored one with <c>Created = false</c>.</summary>
    public async Task<(EventRecord Event, bool Created)> CreateAsync(string tenant, NewEvent item, CancellationToken cancellationToken = default)
    {
        var prepared = await PrepareAsync(tenant, item, cancellationToken).ConfigureAwait(false);
        var refused = await SubmitAsync(tenant, [prepared], cancellationToken).ConfigureAwait(false);
        return refused is null
            ? (prepared.Record, true)
            : (await ReplayAsync(tenant, prepared, cancellationToken).ConfigureAwait(false), false);
    }

    /// <summary>
    /// Stores many events, packing their rows into as few transactions as fit (≤100 rows each). A row the
    /// service refuses as existing is handled alone as a replay or conflict; the rest of its transaction is sent again.
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
                pending.Add((i, await PrepareAsync(tenant, items[i], cancellationToken).ConfigureAwait(false)));
            }
            catch (FuncTraceException ex)
            {
                results[i] = BatchItemResult.Failed(i, items[i].Id, ex);
            }
        }

        var duplicateIds = pending.GroupBy(p => p.Prepared.Record.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)).ToList();
        foreach (var (index, prepared) in duplicateIds)
        {
            results[index] = BatchItemResult.Failed(index, prepared.Record.Id, FuncTraceException.Conflict($"Event id '{prepared.Record.Id}' appears more than once in this batch."));
        }
        pending.RemoveAll(p => results[p.Index] is not null);

        foreach (var chunk in Pack(pending, aggregates.MaxActionsPerEvent))
        {
            var remaining = chunk.ToList();
            while (remaining.Count > 0)
            {
                Prepared? refused;
                try
                {
                    refused = await SubmitAsync(tenant, remaining.Select(p => p.Prepared).ToList(), cancellationToken).ConfigureAwait(false);
                }
                catch (FuncTraceException busy)
                {
                    remaining.ForEach(p => results[p.Index] = BatchItemResult.Failed(p.Index, p.Prepared.Record.Id, busy));
                    break;
                }
                if (refused is null)
                {
                    remaining.ForEach(p => results[p.Index] = BatchItemResult.Stored(p.Index, p.Prepared.Record, created: true));
                    break;
                }
                var owner = remaining.First(p => p.Prepared == refused);
                remaining.Remove(owner);
                try
                {
                    results[owner.Index] = BatchItemResult.Stored(owner.Index, await ReplayAsync(tenant, owner.Prepared, cancellationToken).ConfigureAwait(false), created: false);
                }
                catch (FuncTraceException conflict)
                {
                    results[owner.Index] = BatchItemResult.Failed(owner.Index, owner.Prepared.Record.Id, conflict);
                }
            }
        }
        return results.Select(r => r!).ToList();
    }

    /// <summary>
    /// Sends the events' rows with the aggregate rows they change, in one transaction. When another writer changed an
    /// aggregate row first, the aggregates are read again and the transaction rebuilt. Returns null when stored, or the
    /// event whose row the service refused as existing (a replay or an id conflict; nothing was written).
    /// </summary>
    private async Task<Prepared?> SubmitAsync(string tenant, IReadOnlyList<Prepared> group, CancellationToken cancellationToken)
    {
        var rows = group.SelectMany(p => p.Rows).ToList();
        var staged = group.Select(p => new StagedEvent(p.Record, p.Rows[0].Entity)).ToList();
        for (var attempt = 1; ; attempt++)
        {
            var actions = rows.Concat(await aggregates.ActionsAsync(_table, tenant, staged, cancellationToken).ConfigureAwait(false)).ToList();
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && (ex.FailedActionIndex is null || ex.FailedActionIndex < rows.Count))
            {
                return ex.FailedActionIndex is { } failed ? group.First(p => p.Rows.Contains(rows[failed])) : group[0];
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                if (attempt == EventAggregates.MaxAttempts)
                {
                    throw new FuncTraceException(ErrorCode.ServiceUnavailable, "Too many writers are updating this conversation's totals at once; nothing was stored, retry shortly.");
                }
                await EventAggregates.BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<EventRecord?> GetAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(id, out _) || id.Length > MaxIdLength)
        {
            return null;
        }
        var row = await _table.GetEntityIfExistsAsync(tenant, EventKeys.Record + id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null ? null : await ReadAsync(row, cancellationToken).ConfigureAwait(false);
    }

    public async Task<EventPage> ListAsync(string tenant, EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (prefix, extraFilter) = (query.ConversationId, query.EventType) switch
        {
            ({ } conversation, var type) => (
                query.Descending ? EventKeys.ConversationDesc(conversation) : EventKeys.Conversation(conversation),
                type is null ? null : TableFilter.Create($"EventType eq {type}")),
            (null, { } type) => (query.Descending ? EventKeys.TypeDesc(type) : EventKeys.Type(type), (string?)null),
            _ => (query.Descending ? EventKeys.TimelineDesc : EventKeys.Timeline, (string?)null),
        };
        var (from, to) = TimeRange(prefix, query.From, query.To, query.Descending);
        var page = await RowRange.ReadAsync(_table, tenant, from, to, extraFilter, query.Limit, query.Cursor, cancellationToken).ConfigureAwait(false);
        return new EventPage(await ReadAllAsync(page.Rows, cancellationToken).ConfigureAwait(false), page.NextCursor);
    }

    /// <summary>The row-key range of <paramref name="prefix"/> limited to [from, to].</summary>
    public static (string From, string ToExclusive) TimeRange(string prefix, DateTimeOffset? from, DateTimeOffset? to, bool descending)
    {
        if (from is { } f && to is { } t && f > t)
        {
            throw FuncTraceException.Validation("'from' must not be after 'to'.", "from");
        }
        var end = TableKeys.PrefixEnd(prefix);
        // The instant just outside the range; none past the first or last representable one, where the range simply runs to the end.
        var beforeFrom = from is { UtcTicks: > 0 } earliest ? new DateTimeOffset(earliest.UtcTicks - 1, TimeSpan.Zero) : (DateTimeOffset?)null;
        var afterTo = to is { } latest && latest.UtcTicks < DateTimeOffset.MaxValue.UtcTicks ? new DateTimeOffset(latest.UtcTicks + 1, TimeSpan.Zero) : (DateTimeOffset?)null;
        return descending
            ? (to is null ? prefix : prefix + EventKeys.FromDesc(to.Value), beforeFrom is null ? end : prefix + EventKeys.FromDesc(beforeFrom.Value))
            : (from is null ? prefix : prefix + EventKeys.From(from.Value), afterTo is null ? end : prefix + EventKeys.From(afterTo.Value));
    }

    public async Task<IReadOnlyList<EventRecord>> ReadAllAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var records = new EventRecord[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            records[i] = await ReadAsync(rows[i], cancellationToken).ConfigureAwait(false);
        }
        return records;
    }

    public const int MaxIdLength = 128;

    private async Task<EventRecord> ReadAsync(TableEntity row, CancellationToken cancellationToken)
    {
        JsonElement data;
        if (row.GetString("DataBlob") is { } blob)
        {
            data = await payloads.LoadAsync(blob, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            using var json = JsonDocument.Parse(row.GetString("Data") ?? "{}");
            data = json.RootElement.Clone();
        }
        return EventEntities.ToRecord(row, data);
    }

    private async Task<EventRecord> ReplayAsync(string tenant, Prepared prepared, CancellationToken cancellationToken)
    {
        var existing = await _table.GetEntityIfExistsAsync(tenant, EventKeys.Record + prepared.Record.Id, cancellationToken: cancellationToken).ConfigureAwait(false)
            ?? throw FuncTraceException.Conflict($"Event '{prepared.Record.Id}' could not be stored; retry.");
        if (!string.Equals(existing.GetString("BodyHash"), prepared.BodyHash, StringComparison.Ordinal))
        {
            throw new FuncTraceException(ErrorCode.Conflict, $"An event with id '{prepared.Record.Id}' already exists with a different body.", new Dictionary<string, object?> { ["id"] = prepared.Record.Id });
        }
        return await ReadAsync(existing, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Prepared> PrepareAsync(string tenant, NewEvent item, CancellationToken cancellationToken)
    {
        Validate(item);
        var now = time.GetUtcNow();
        var id = item.Id ?? EventIds.New(now);
        var record = new EventRecord(
            id,
            item.ConversationId,
            item.EventType,
            item.Timestamp ?? now,
            item.Data,
            item.RequiresFeedback ?? _reviewTypes.Contains(item.EventType),
            item.Role,
            item.Model,
            item.Usage,
            now,
            null,
            item.User,
            item.Metadata);
        record = record with { ReviewStatus = record.RequiresFeedback ? EventEntities.ReviewPending : null };

        var bodyHash = EventEntities.BodyHash(item);
        var dataJson = EventEntities.CompactJson(item.Data);
        string? dataBlob = null;
        if (Encoding.UTF8.GetByteCount(dataJson) > options.DataBlobThresholdBytes)
        {
            dataBlob = PayloadStore.BlobName(tenant, id, bodyHash);
            await payloads.SaveAsync(dataBlob, dataJson, cancellationToken).ConfigureAwait(false);
            dataJson = null;
        }
        return new Prepared(record, EventEntities.Rows(tenant, record, dataJson, dataBlob, bodyHash), bodyHash);
    }

    /// <summary>Whether <paramref name="conversationId"/> can name a conversation; throws a validation error naming the field if not.</summary>
    public static void ValidateConversationId(string? conversationId, string field = "conversation_id")
    {
        Validation.KeySafe(conversationId, field, 256);
        RequireFits(conversationId, field);
    }

    private static void RequireFits(string? value, string field)
    {
        if (value is not null && !EventKeys.Fits(value))
        {
            throw FuncTraceException.Validation(
                $"'{field}' is too long once '|' and '%' are escaped: each counts as 3 characters, and {EventKeys.MaxEscapedSegmentLength} is the most.", field);
        }
    }

    private static void Validate(NewEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Id is not null)
        {
            Validation.KeySafe(item.Id, "id", MaxIdLength);
        }
        ValidateConversationId(item.ConversationId);
        Validation.KeySafe(item.EventType, "event_type", 128);
        foreach (var (value, field) in new[] { (item.Id, "id"), (item.EventType, "event_type") })
        {
            RequireFits(value, field);
        }
        if (item.Data.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation("'data' must be a JSON object.", "data");
        }
        if (item.Role is { Length: > 32 })
        {
            throw FuncTraceException.Validation("'role' is longer than 32 characters.", "role");
        }
        if (item.Model is { Length: > 200 })
        {
            throw FuncTraceException.Validation("'model' is longer than 200 characters.", "model");
        }
        if (item.Usage is { } usage && (usage.PromptTokens < 0 || usage.CompletionTokens < 0 || usage.TotalTokens < 0))
        {
            throw FuncTraceException.Validation("Token counts in 'usage' must not be negative.", "usage");
        }
        if (item.User is { Length: > 254 })
        {
            throw FuncTraceException.Validation("'user' is longer than 254 characters.", "user");
        }
        if (item.Metadata is { } metadata
            && (metadata.ValueKind != JsonValueKind.Object || Encoding.UTF8.GetByteCount(EventEntities.CompactJson(metadata)) > MaxMetadataBytes))
        {
            throw FuncTraceException.Validation($"'metadata' must be a JSON object of at most {MaxMetadataBytes} bytes.", "metadata");
        }
    }

    /// <summary>Metadata stays in the rows (unlike data it never moves to a blob), so it is kept small.</summary>
    public const int MaxMetadataBytes = 16 * 1024;

    /// <summary>Groups events so each group's rows, and the aggregate rows they may change, fit one transaction.</summary>
    private static IEnumerable<List<(int Index, Prepared Prepared)>> Pack(List<(int Index, Prepared Prepared)> items, int aggregateActionsPerEvent)
    {
        var chunk = new List<(int, Prepared)>();
        var rows = 0;
        foreach (var item in items)
        {
            var size = item.Prepared.Rows.Count + aggregateActionsPerEvent;
            if (rows + size > TableTransactionBody.MaxActions)
            {
                yield return chunk;
                chunk = [];
                rows = 0;
            }
            chunk.Add(item);
            rows += size;
        }
        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private sealed record Prepared(EventRecord Record, List<TableTransactionAction> Rows, string BodyHash);
}

/// <summary>The outcome of one item of a batch: stored (new or replayed) or refused with an error.</summary>
public sealed record BatchItemResult(int Index, string? Id, string Status, EventRecord? Event, FuncTraceException? Error)
{
    public static BatchItemResult Stored(int index, EventRecord record, bool created) =>
        new(index, record.Id, created ? "created" : "duplicate", record, null);

    public static BatchItemResult Failed(int index, string? id, FuncTraceException error) =>
        new(index, id, "error", null, error);
}
