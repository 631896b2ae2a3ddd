using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Feedback;

/// <summary>
/// Records feedback. A verdict (approved or rejected) is one transaction with the event's new review status, conditional
/// on the event's ETag: the first verdict wins, a later different one is a 409, the same one replayed answers 200 with
/// the stored feedback. While another reviewer holds the event's lease, a verdict is a 409 naming them and the lease's end.
/// The review queue and the counters follow through the event's ingest slot.
/// </summary>
public sealed class FeedbackService(TableServiceClient tables, StorageNames names, EventReader events, ReviewLeases leases, IngestJournal journal, TimeProvider time)
{
    private const int MaxMessageLength = 16 * 1024;
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));

    public async Task<(FeedbackRecord Feedback, bool Created)> SubmitAsync(string tenant, string reviewer, NewFeedback item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var status = Validate(item);
        var now = time.GetUtcNow();
        var record = new FeedbackRecord(item.Id ?? EventKeys.NewSortKey(now, item.EventId), item.EventId, item.Message, status, item.Value,
            item.Source ?? "reviewer", reviewer, item.SubmittedAt ?? now, now);
        var hash = BodyHash(item, status, reviewer);
        var target = await events.GetAsync(tenant, item.EventId, cancellationToken) ?? throw NoEvent(item.EventId);

        if (!FeedbackStatus.IsFinal(status))
        {
            return await AddAsync(tenant, target, record, hash, verdict: null, cancellationToken);
        }
        return await OptimisticRetry.RunAsync(async () =>
        {
            if (FeedbackStatus.IsFinal(target.Record.ReviewStatus))
            {
                return (await SameVerdictAsync(target, record, hash, cancellationToken), false);
            }
            if (await leases.HolderAsync(tenant, target, cancellationToken) is { } lease && lease.Reviewer != reviewer && lease.ExpiresAt > now)
            {
                throw new FuncTraceException(ErrorCode.Conflict,
                    $"Another reviewer holds this event until {lease.ExpiresAt:O}; wait for the lease to end or for their verdict.",
                    new Dictionary<string, object?> { ["reviewer"] = lease.Reviewer, ["lease_expires_at"] = lease.ExpiresAt });
            }
            var verdict = PackedEvents.Verdict(target, status, now, reviewer, record.Id);
            try
            {
                return await AddAsync(tenant, target, record, hash, verdict, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (JudgedFirst(ex))
            {
                // Someone judged (or otherwise changed) the event first: read it again and decide again.
                target = await events.GetAsync(tenant, item.EventId, cancellationToken) ?? throw NoEvent(item.EventId);
                throw;
            }
        }, ex => ex is TableTransactionFailedException failed && JudgedFirst(failed), cancellationToken);
    }

    /// <summary>The event's row changed since it was read (412), or another verdict took a packed event's claim (409 past the feedback row).</summary>
    private static bool JudgedFirst(TableTransactionFailedException ex) => ex.Status == 412 || ex is { Status: 409, FailedTransactionActionIndex: > 0 };

    /// <summary>An event's feedback, newest first.</summary>
    public async Task<IReadOnlyList<FeedbackRecord>> ListAsync(string tenant, string eventId, CancellationToken cancellationToken = default)
    {
        var target = await events.GetAsync(tenant, eventId, cancellationToken) ?? throw NoEvent(eventId);
        var prefix = FeedbackRows.Prefix(target.SortKey);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {target.PartitionKey} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + "}"}");
        var list = new List<FeedbackRecord>();
        await foreach (var row in _events.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            list.Add(FeedbackRows.ToRecord(row));
        }
        return list.OrderByDescending(f => f.SubmittedAt).ThenByDescending(f => f.CreatedAt).ToList();
    }

    /// <summary>
    /// Writes the feedback row, with the event's verdict when there is one, in one transaction, enlisted in a slot. The
    /// feedback id is in the row key, so a replay fails on the existing row and is answered from it; a row this attempt
    /// wrote itself (the storage client retried a transaction whose answer was lost) is its success.
    /// </summary>
    private async Task<(FeedbackRecord, bool)> AddAsync(string tenant, StoredEvent target, FeedbackRecord record, string hash, IReadOnlyList<TableTransactionAction>? verdict, CancellationToken cancellationToken)
    {
        var ticket = await journal.EnlistAsync([target.PartitionKey], 300, cancellationToken);
        var attempt = EventRows.NewAttempt();
        var row = FeedbackRows.Row(target, record, hash, ticket.Slot, attempt);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, row) };
        actions.AddRange(verdict ?? []);
        try
        {
            await _events.SubmitTransactionAsync(actions, CancellationToken.None);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            TableEntity? existing;
            try
            {
                existing = await FeedbackRowAsync(target, record.Id, cancellationToken);
            }
            catch (Exception readFailed) when (StorageOutcome.IsUncertain(readFailed))
            {
                ticket.Complete([], ct => ResolveAsync(tenant, row, ticket.Slot, ct));
                throw;
            }
            if (!EventRows.WrittenBy(existing, attempt))
            {
                ticket.Complete([]);
                if (ex.Status == 409 && ex.FailedTransactionActionIndex is null or 0)
                {
                    return (Replay(existing, record, hash), false);
                }
                throw;
            }
        }
        catch (Exception ex) when (StorageOutcome.IsUncertain(ex))
        {
            ticket.Complete([], ct => ResolveAsync(tenant, row, ticket.Slot, ct));
            throw;
        }
        catch
        {
            ticket.Complete([]);
            throw;
        }
        ticket.Complete([FeedbackRows.ToViewItem(tenant, row)]);
        return (record, true);
    }

    /// <summary>A verdict on an event that has one: the same verdict (same status, words and reviewer) is a replay.</summary>
    private async Task<FeedbackRecord> SameVerdictAsync(StoredEvent target, FeedbackRecord record, string hash, CancellationToken cancellationToken)
    {
        var verdictId = (await events.GetRowAsync(target.PartitionKey, target.SortKey, cancellationToken))?.GetString("VerdictId");
        var existing = verdictId is null ? null : await FeedbackRowAsync(target, verdictId, cancellationToken);
        if (existing is not null && existing.GetString("BodyHash") == hash)
        {
            return FeedbackRows.ToRecord(existing);
        }
        throw new FuncTraceException(ErrorCode.Conflict, $"Event '{record.EventId}' already has its verdict ({target.Record.ReviewStatus}); the first verdict stands.",
            new Dictionary<string, object?> { ["review_status"] = target.Record.ReviewStatus, ["feedback_id"] = verdictId });
    }

    private static FeedbackRecord Replay(TableEntity? existing, FeedbackRecord record, string hash)
    {
        if (existing is null)
        {
            throw FuncTraceException.Conflict($"Feedback '{record.Id}' could not be stored; retry.");
        }
        if (!string.Equals(existing.GetString("BodyHash"), hash, StringComparison.Ordinal))
        {
            throw FuncTraceException.Conflict($"Feedback with id '{record.Id}' already exists with a different body.");
        }
        return FeedbackRows.ToRecord(existing);
    }

    private async Task<TableEntity?> FeedbackRowAsync(StoredEvent target, string feedbackId, CancellationToken cancellationToken) =>
        (await _events.GetEntityIfExistsAsync<TableEntity>(target.PartitionKey, FeedbackRows.RowKey(target.SortKey, feedbackId), cancellationToken: cancellationToken)).ValueOrNull();

    private async Task<IReadOnlyList<ViewItem>> ResolveAsync(string tenant, TableEntity row, string slot, CancellationToken cancellationToken)
    {
        var stored = (await _events.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken)).ValueOrNull();
        return stored is not null && stored.GetString("Slot") == slot ? [FeedbackRows.ToViewItem(tenant, stored)] : [];
    }

    private static FuncTraceException NoEvent(string id) => FuncTraceException.NotFound($"No event with id '{id}'.");

    private static string Validate(NewFeedback item)
    {
        Validation.KeySafe(item.EventId, "event_id", EventValidation.MaxIdLength);
        if (item.Id is not null)
        {
            Validation.KeySafe(item.Id, "id", EventValidation.MaxIdLength);
        }
        if (item.Message is { Length: > MaxMessageLength })
        {
            throw FuncTraceException.Validation($"'feedback_message' is longer than {MaxMessageLength} characters.", "feedback_message");
        }
        if (item.Source is { Length: > 64 })
        {
            throw FuncTraceException.Validation("'source' is longer than 64 characters.", "source");
        }
        if (item.Value is { } value && !double.IsFinite(value))
        {
            throw FuncTraceException.Validation("'value' must be a finite number.", "value");
        }
        if (item.SubmittedAt is { } submitted && (submitted < EventKeys.MinTimestamp || submitted > EventKeys.MaxTimestamp))
        {
            throw FuncTraceException.Validation("'submitted_at' must be between 1970-01-01 and 9999-12-31.", "submitted_at");
        }
        var status = item.Status ?? FeedbackStatus.Pending;
        if (!FeedbackStatus.All.Contains(status))
        {
            throw FuncTraceException.Validation("'status' must be one of pending, approved, rejected.", "status");
        }
        return status;
    }

    /// <summary>What makes two submissions the same: the reviewer too, so another reviewer's identical words are not a replay.</summary>
    private static string BodyHash(NewFeedback item, string status, string reviewer)
    {
        var canonical = JsonSerializer.Serialize(new object?[] { item.EventId, item.Message, status, item.Value, item.Source, item.SubmittedAt?.UtcTicks, reviewer });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }
}
