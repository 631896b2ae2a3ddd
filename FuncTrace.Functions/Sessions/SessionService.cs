using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Conversations;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Sessions;

/// <summary>
/// Sessions: conversations whose id the service chose, with a row of their own (<see cref="SessionRows"/>) that numbers
/// their events. Creating one enlists in an ingest slot like every event write, so its conversation's summary (and its
/// place in the conversation list) follows through the views; its events are written by <see cref="EventService"/>
/// with the numbering transaction as their write, so ids, replays and slots work as for any event.
/// </summary>
public sealed class SessionService(TableServiceClient tables, StorageNames names, EventService events, ConversationService conversations, IngestJournal journal, TimeProvider time)
{
    private const int MaxNameLength = 200;
    private const int MaxCreateAttempts = 3;
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));

    public async Task<SessionRecord> CreateAsync(string tenant, string? name, JsonElement? metadata, CancellationToken cancellationToken = default)
    {
        if (name is { Length: > MaxNameLength })
        {
            throw FuncTraceException.Validation($"'name' is longer than {MaxNameLength} characters.", "name");
        }
        var metadataJson = metadata is { } json ? EventRows.CompactJson(json) : null;
        if (metadata is { ValueKind: not JsonValueKind.Object } || (metadataJson is not null && Encoding.UTF8.GetByteCount(metadataJson) > EventValidation.MaxMetadataBytes))
        {
            throw FuncTraceException.Validation($"'metadata' must be a JSON object of at most {EventValidation.MaxMetadataBytes} bytes.", "metadata");
        }
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var id = EventKeys.NewSessionId(now);
            var ticket = await journal.EnlistAsync([EventKeys.ConversationPartition(tenant, id)], 400 + (name?.Length ?? 0) + (metadataJson?.Length ?? 0), cancellationToken);
            var row = SessionRows.New(tenant, id, name, metadataJson, now, ticket.Slot);
            try
            {
                await _events.AddEntityAsync(row, CancellationToken.None);
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && attempt < MaxCreateAttempts)
            {
                // Another session's id hashes to the same partition (rare: 40 bits, but a tenant may have millions): take another id.
                ticket.Abandon();
                continue;
            }
            catch (Exception ex) when (StorageOutcome.IsUncertain(ex))
            {
                ticket.Complete([], ct => ResolveAsync(tenant, row, ct));
                throw;
            }
            catch
            {
                ticket.Abandon();
                throw;
            }
            ticket.Complete([SessionRows.ToViewItem(tenant, row)]);
            return SessionRecord.From(row, owner: null, archived: false);
        }
    }

    /// <summary>The session's row, at once; the owner from its conversation's summary once the views have one.</summary>
    public async Task<SessionRecord?> GetAsync(string tenant, string sessionId, CancellationToken cancellationToken = default)
    {
        var row = SessionRows.GetAsync(_events, tenant, sessionId, cancellationToken);
        var summary = conversations.SummaryAsync(tenant, sessionId, cancellationToken);
        await Task.WhenAll(row, summary);
        if (await row is not { } found)
        {
            return null;
        }
        var conversation = await summary;
        return SessionRecord.From(found, conversation?.Owner, conversation?.Archived == true);
    }

    /// <summary>The session's row, or a 404.</summary>
    public async Task<TableEntity> RequireRowAsync(string tenant, string sessionId, CancellationToken cancellationToken = default) =>
        await SessionRows.GetAsync(_events, tenant, sessionId, cancellationToken) ?? throw NotFound(sessionId);

    /// <summary>Soft delete: the session's status becomes archived and its conversation is archived (hidden from lists). Idempotent.</summary>
    public async Task<SessionRecord> ArchiveAsync(string tenant, string sessionId, CancellationToken cancellationToken = default)
    {
        var row = await OptimisticRetry.RunAsync(async () =>
        {
            var current = await RequireRowAsync(tenant, sessionId, cancellationToken);
            if (current.GetString("Status") == SessionRows.Archived)
            {
                return current;
            }
            var archived = new TableEntity(current) { ["Status"] = SessionRows.Archived, ["ArchivedAt"] = time.GetUtcNow() };
            await _events.UpdateEntityAsync(archived, current.ETag, TableUpdateMode.Replace, CancellationToken.None);
            return archived;
        }, ex => ex is RequestFailedException { Status: 412 }, cancellationToken);
        var summary = await conversations.ArchiveAsync(tenant, sessionId, cancellationToken);
        return SessionRecord.From(row, summary.Owner, archived: true);
    }

    /// <summary>Stores the event as the session's next one; a replay (same id and body) answers with the stored event and its sequence.</summary>
    public async Task<(EventRecord Event, bool Created)> AddEventAsync(string tenant, string sessionId, NewEvent item, CancellationToken cancellationToken = default)
    {
        var session = await RequireRowAsync(tenant, sessionId, cancellationToken);
        return await events.CreateAsync(tenant, item, (row, ct) => AppendAsync(tenant, sessionId, row, session, ct), cancellationToken);
    }

    public static FuncTraceException NotFound(string sessionId) => FuncTraceException.NotFound($"No session with id '{sessionId}'.");

    /// <summary>
    /// One transaction in the session's partition: the session row moves to the next sequence under its ETag, and the
    /// event and its sequence row are added. A writer that lost the race reads the session again and takes the next number.
    /// </summary>
    private Task<TableEntity> AppendAsync(string tenant, string sessionId, TableEntity eventRow, TableEntity? known, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async () =>
        {
            var session = known ?? await RequireRowAsync(tenant, sessionId, cancellationToken);
            known = null;
            var sequence = (session.GetInt64("LastSequence") ?? 0) + 1;
            var numbered = new TableEntity(eventRow) { ["Sequence"] = sequence };
            var isMessage = MessageText.IsMessage(EventRows.DocOf(eventRow).Role, eventRow.GetString("EventType"));
            await _events.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, SessionRows.Counted(session, sequence, eventRow.GetDateTimeOffset("EventTime") ?? default, isMessage), session.ETag),
                new(TableTransactionActionType.Add, numbered),
                new(TableTransactionActionType.Add, SessionRows.SequenceRow(numbered, sequence)),
            ], cancellationToken);
            return numbered;
        }, ex => ex is TableTransactionFailedException { Status: 412 }, cancellationToken);

    private async Task<IReadOnlyList<ViewItem>> ResolveAsync(string tenant, TableEntity row, CancellationToken cancellationToken)
    {
        var stored = await SessionRows.GetAsync(_events, tenant, row.GetString("SessionId"), cancellationToken);
        return stored is not null && stored.GetString("Slot") == row.GetString("Slot") ? [SessionRows.ToViewItem(tenant, stored)] : [];
    }
}
