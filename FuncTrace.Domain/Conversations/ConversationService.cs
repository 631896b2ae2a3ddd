using System.Globalization;
using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Conversations;

/// <summary>What <c>GET /api/conversations</c> filters and pages by.</summary>
public sealed record ConversationQuery(string? User, bool IncludeArchived, int Limit, string? Cursor);

/// <summary>One page of summaries and the cursor of the next (null on the last page).</summary>
public sealed record ConversationPage(IReadOnlyList<ConversationSummary> Conversations, string? NextCursor);

/// <summary>An event with its place in its conversation's storage order (the live tail's <c>id</c>).</summary>
public sealed record SequencedEvent(long Sequence, EventRecord Event);

/// <summary>
/// Conversations (and sessions, the same thing under another name) read from their summaries, which
/// <see cref="ConversationAggregate"/> keeps; archiving hides one from lists but keeps it readable by id.
/// </summary>
public sealed class ConversationService(StorageCatalog storage, EventService events, TimeProvider time)
{
    public const int MaxOffset = 10_000;
    private readonly TableClient _table = storage.Table(StorageNames.EventsTable);

    /// <summary>Newest activity first, from the list rows (one range read; filters apply within it).</summary>
    public async Task<ConversationPage> ListAsync(string tenant, ConversationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = TableFilter.And(
            query.IncludeArchived ? null : TableFilter.Create($"Archived eq {false}"),
            query.User is null ? null : TableFilter.Create($"Owner eq {query.User.ToLowerInvariant()}"));
        var page = await RowRange.ReadAsync(_table, tenant, EventKeys.Activity, TableKeys.PrefixEnd(EventKeys.Activity), filter, query.Limit, query.Cursor, cancellationToken).ConfigureAwait(false);
        return new ConversationPage(page.Rows.Select(ConversationSummary.FromRow).ToList(), page.NextCursor);
    }

    public async Task<ConversationSummary?> GetAsync(string tenant, string conversationId, CancellationToken cancellationToken = default)
    {
        var row = await ReadSummaryAsync(tenant, conversationId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ConversationSummary.FromRow(row);
    }

    /// <summary>Starts an empty conversation with a new id (a session); it lists at once, its activity being its creation.</summary>
    public async Task<ConversationSummary> CreateAsync(string tenant, string? name, JsonElement? metadata, CancellationToken cancellationToken = default)
    {
        if (name is { Length: > 200 })
        {
            throw FuncTraceException.Validation("'name' is longer than 200 characters.", "name");
        }
        if (metadata is { } json && (json.ValueKind != JsonValueKind.Object || EventEntities.CompactJson(json).Length > EventService.MaxMetadataBytes))
        {
            throw FuncTraceException.Validation($"'metadata' must be a JSON object of at most {EventService.MaxMetadataBytes} bytes.", "metadata");
        }
        var now = time.GetUtcNow();
        var summary = ConversationSummary.NewRow(tenant, EventIds.New(now), now, name, metadata);
        await _table.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, summary), new(TableTransactionActionType.Add, ConversationSummary.ActivityRow(summary))],
            cancellationToken).ConfigureAwait(false);
        return ConversationSummary.FromRow(summary);
    }

    /// <summary>Archives (soft-deletes) the conversation; archiving twice changes nothing.</summary>
    public async Task<ConversationSummary> ArchiveAsync(string tenant, string conversationId, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await ReadSummaryAsync(tenant, conversationId, cancellationToken).ConfigureAwait(false)
                ?? throw FuncTraceException.NotFound($"No conversation with id '{conversationId}'.");
            if (existing.GetBoolean("Archived") == true)
            {
                return ConversationSummary.FromRow(existing);
            }
            var archived = EventEntities.CopyAs(existing, existing.RowKey);
            archived["Archived"] = true;
            archived["ArchivedAt"] = time.GetUtcNow();
            try
            {
                await _table.SubmitTransactionAsync(
                    [new(TableTransactionActionType.UpdateReplace, archived, existing.ETag), new(TableTransactionActionType.UpsertReplace, ConversationSummary.ActivityRow(archived))],
                    cancellationToken).ConfigureAwait(false);
                return ConversationSummary.FromRow(archived);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412 && attempt < EventAggregates.MaxAttempts)
            {
                await EventAggregates.BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Events in storage order, skipping <paramref name="offset"/>: the skipped rows are still read, so the cost grows
    /// with the offset (hence <see cref="MaxOffset"/>). Returns whether more follow.
    /// </summary>
    public async Task<(IReadOnlyList<SequencedEvent> Events, bool HasMore)> ListByOffsetAsync(
        string tenant, string conversationId, string? eventType, int offset, int limit, CancellationToken cancellationToken = default)
    {
        if (offset is < 0 or > MaxOffset)
        {
            throw FuncTraceException.Validation($"'offset' must be between 0 and {MaxOffset}.", "offset");
        }
        var prefix = EventKeys.Sequence(conversationId);
        var filter = TableFilter.And(
            TableFilter.Prefix(tenant, prefix),
            eventType is null ? null : TableFilter.Create($"EventType eq {eventType}"));
        var rows = new List<TableEntity>();
        var seen = 0;
        await foreach (var row in _table.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (seen++ >= offset)
            {
                rows.Add(row);
            }
            if (rows.Count > limit)
            {
                break;
            }
        }
        var page = rows.Take(limit).ToList();
        return (await SequencedAsync(page, cancellationToken).ConfigureAwait(false), rows.Count > limit);
    }

    /// <summary>Up to <paramref name="limit"/> events stored after sequence number <paramref name="after"/>, in order.</summary>
    public async Task<IReadOnlyList<SequencedEvent>> ReadAfterAsync(string tenant, string conversationId, long after, int limit, CancellationToken cancellationToken = default)
    {
        var prefix = EventKeys.Sequence(conversationId);
        var page = await RowRange.ReadAsync(_table, tenant, EventKeys.SequenceRow(conversationId, after + 1), TableKeys.PrefixEnd(prefix), null, limit, null, cancellationToken).ConfigureAwait(false);
        return await SequencedAsync(page.Rows, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<SequencedEvent>> SequencedAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        var records = await events.ReadAllAsync(rows, cancellationToken).ConfigureAwait(false);
        return rows.Select((row, i) => new SequencedEvent(long.Parse(row.RowKey[(row.RowKey.LastIndexOf('|') + 1)..], CultureInfo.InvariantCulture), records[i])).ToList();
    }

    private async Task<TableEntity?> ReadSummaryAsync(string tenant, string conversationId, CancellationToken cancellationToken) =>
        TableKeys.IsValid(conversationId, out _) && conversationId.Length <= 256 && EventKeys.Fits(conversationId)
            ? await _table.GetEntityIfExistsAsync(tenant, EventKeys.Summary(conversationId), cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
}
