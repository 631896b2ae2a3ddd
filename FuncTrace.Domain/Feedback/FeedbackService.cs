using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Status;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Feedback;

/// <summary>
/// Records feedback. A final verdict (approved/rejected) is written in one transaction with the event
/// record's new review status (ETag-guarded) and the removal of its review-queue row, so the event leaves
/// the queue exactly when its verdict is stored. The tenant's counters change in the same transaction.
/// </summary>
public sealed class FeedbackService(StorageCatalog storage, TimeProvider time)
{
    private const int MaxAttempts = EventAggregates.MaxAttempts;
    private const int MaxMessageLength = 16 * 1024;
    private readonly TableClient _table = storage.Table(StorageNames.EventsTable);

    public async Task<(FeedbackRecord Feedback, bool Created)> SubmitAsync(string tenant, string reviewer, NewFeedback item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        var status = Validate(item);
        var now = time.GetUtcNow();
        var record = new FeedbackRecord(
            item.Id ?? EventIds.New(now),
            item.EventId,
            item.Message,
            status,
            item.Value,
            item.Source ?? "reviewer",
            reviewer,
            item.SubmittedAt ?? now,
            now);
        var hash = BodyHash(item, status);

        for (var attempt = 1; ; attempt++)
        {
            var eventRow = await _table.GetEntityIfExistsAsync(tenant, EventKeys.Record + item.EventId, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw FuncTraceException.NotFound($"No event with id '{item.EventId}'.");

            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, ToEntity(tenant, record, hash)) };
            var wasPending = eventRow.GetString("ReviewStatus") == FeedbackStatus.Pending;
            if (FeedbackStatus.IsFinal(status))
            {
                var update = new TableEntity(tenant, eventRow.RowKey) { { "ReviewStatus", status }, { "ReviewedAt", now }, { "ReviewedBy", reviewer } };
                actions.Add(new(TableTransactionActionType.UpdateMerge, update, eventRow.ETag));
                if (wasPending)
                {
                    var sortKey = EventKeys.SortKey(eventRow.GetDateTimeOffset("EventTime") ?? default, item.EventId);
                    actions.Add(new(TableTransactionActionType.Delete, new TableEntity(tenant, EventKeys.Pending + sortKey)));
                }
            }
            var counts = new Dictionary<string, long>
            {
                [TenantCounters.FeedbackGiven] = 1,
                [TenantCounters.PendingReviews] = FeedbackStatus.IsFinal(status) && wasPending ? -1 : 0,
            };
            actions.Add(await TenantCounters.IncrementAsync(_table, tenant, counts, shard: null, cancellationToken).ConfigureAwait(false));

            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return (record, true);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedActionIndex is null or 0)
            {
                return (await ReplayAsync(tenant, record, hash, cancellationToken).ConfigureAwait(false), false);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 or 404 && attempt < MaxAttempts)
            {
                // The event's review state or a counter changed since we read them (another writer); read them again.
                await EventAggregates.BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An event's feedback, newest first.</summary>
    public async Task<IReadOnlyList<FeedbackRecord>> ListAsync(string tenant, string eventId, CancellationToken cancellationToken = default)
    {
        if (!TableKeys.IsValid(eventId, out _) || await _table.GetEntityIfExistsAsync(tenant, EventKeys.Record + eventId, ["Id"], cancellationToken).ConfigureAwait(false) is null)
        {
            throw FuncTraceException.NotFound($"No event with id '{eventId}'.");
        }
        var prefix = EventKeys.Feedback(eventId);
        var filter = TableFilter.Prefix(tenant, prefix);
        var list = new List<FeedbackRecord>();
        await foreach (var row in _table.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(ToRecord(row));
        }
        return list.OrderByDescending(f => f.SubmittedAt).ThenByDescending(f => f.CreatedAt).ToList();
    }

    private async Task<FeedbackRecord> ReplayAsync(string tenant, FeedbackRecord record, string hash, CancellationToken cancellationToken)
    {
        var existing = await _table.GetEntityIfExistsAsync(tenant, EventKeys.Feedback(record.EventId) + record.Id, cancellationToken: cancellationToken).ConfigureAwait(false)
            ?? throw FuncTraceException.Conflict($"Feedback '{record.Id}' could not be stored; retry.");
        if (!string.Equals(existing.GetString("BodyHash"), hash, StringComparison.Ordinal))
        {
            throw FuncTraceException.Conflict($"Feedback with id '{record.Id}' already exists with a different body.");
        }
        return ToRecord(existing);
    }

    private static string Validate(NewFeedback item)
    {
        Validation.KeySafe(item.EventId, "event_id", EventService.MaxIdLength);
        if (item.Id is not null)
        {
            Validation.KeySafe(item.Id, "id", EventService.MaxIdLength);
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
        var status = item.Status ?? FeedbackStatus.Pending;
        if (!FeedbackStatus.All.Contains(status))
        {
            throw FuncTraceException.Validation("'status' must be one of pending, approved, rejected.", "status");
        }
        return status;
    }

    private static string BodyHash(NewFeedback item, string status)
    {
        var canonical = JsonSerializer.Serialize(new object?[] { item.EventId, item.Message, status, item.Value, item.Source, item.SubmittedAt?.UtcTicks });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }

    private static TableEntity ToEntity(string tenant, FeedbackRecord record, string hash) => new(tenant, EventKeys.Feedback(record.EventId) + record.Id)
    {
        { "Kind", "feedback" },
        { "Id", record.Id },
        { "EventId", record.EventId },
        { "Message", record.Message },
        { "Status", record.Status },
        { "Value", record.Value },
        { "Source", record.Source },
        { "Reviewer", record.Reviewer },
        { "SubmittedAt", record.SubmittedAt },
        { "CreatedAt", record.CreatedAt },
        { "BodyHash", hash },
    };

    private static FeedbackRecord ToRecord(TableEntity row) => new(
        row.GetString("Id")!,
        row.GetString("EventId")!,
        row.GetString("Message"),
        row.GetString("Status")!,
        row.GetDouble("Value"),
        row.GetString("Source") ?? "reviewer",
        row.GetString("Reviewer") ?? string.Empty,
        row.GetDateTimeOffset("SubmittedAt") ?? default,
        row.GetDateTimeOffset("CreatedAt") ?? default);
}
