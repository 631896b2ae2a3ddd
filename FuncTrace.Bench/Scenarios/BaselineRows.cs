using System.Globalization;
using System.Text.Json;
using FuncTrace.Domain.Conversations;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// The rows one ingested event costs, built without the service: the record and its index copies exactly as
/// <see cref="EventEntities"/> builds them, plus what the aggregates write beside them (the conversation's log row,
/// summary and activity row with the old one deleted, two usage rows, one counter shard). Aggregate rows are
/// upserted blind: the baseline reads nothing first, which is the work the service adds.
/// </summary>
public sealed class BaselineRows(string tenant, string conversationId)
{
    private static readonly JsonElement Data = JsonSerializer.SerializeToElement(new { text = Infrastructure.EventBodies.Text });
    private static readonly string DataJson = EventEntities.CompactJson(Data);
    private long _sequence;
    private string? _previousActivity;

    /// <summary>The record row alone: "one entity per event".</summary>
    public static TableEntity RecordOnly(string tenant)
    {
        var record = NewRecord("baseline", DateTimeOffset.UtcNow);
        return EventEntities.Rows(tenant, record, DataJson, null, "baseline")[0].Entity;
    }

    /// <summary>The next event's transaction, as the service would send it for this conversation.</summary>
    public List<TableTransactionAction> NextTransaction()
    {
        var now = DateTimeOffset.UtcNow;
        var record = NewRecord(conversationId, now);
        var actions = EventEntities.Rows(tenant, record, DataJson, null, "baseline");
        var sequence = ++_sequence;

        var log = EventEntities.CopyAs(actions[0].Entity, EventKeys.SequenceRow(conversationId, sequence));
        log["Sequence"] = sequence;
        actions.Add(new(TableTransactionActionType.Add, log));

        var summary = ConversationSummary.NewRow(tenant, conversationId, now, name: null, metadata: null);
        summary["EventCount"] = sequence;
        summary["MessageCount"] = sequence;
        summary["LastActivity"] = now;
        summary["LastAssistantPreview"] = Infrastructure.EventBodies.Text[..ConversationSummary.PreviewLength];
        var activity = ConversationSummary.ActivityRow(summary);
        actions.Add(new(TableTransactionActionType.UpsertReplace, summary));
        actions.Add(new(TableTransactionActionType.UpsertReplace, activity));
        if (_previousActivity is { } previous && previous != activity.RowKey)
        {
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(tenant, previous)));
        }
        _previousActivity = activity.RowKey;

        var shard = EventKeys.ShardOf(conversationId);
        var day = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var month = now.ToString("yyyyMM", CultureInfo.InvariantCulture);
        actions.Add(new(TableTransactionActionType.UpsertReplace, Usage(EventKeys.UsageRow(EventKeys.UsageByDay, day, null, Infrastructure.EventBodies.Model, shard))));
        actions.Add(new(TableTransactionActionType.UpsertReplace, Usage(EventKeys.UsageRow(EventKeys.UsageByMonth, month, null, Infrastructure.EventBodies.Model, shard))));
        actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(tenant, EventKeys.Counters + shard.ToString(CultureInfo.InvariantCulture)) { { "EventsIngested", sequence }, { "PendingReviews", sequence } }));
        return actions;
    }

    private TableEntity Usage(string rowKey) => new(tenant, rowKey)
    {
        { "PromptTokens", 812L * _sequence }, { "CompletionTokens", 240L * _sequence }, { "TotalTokens", 1052L * _sequence }, { "Events", _sequence },
    };

    private static EventRecord NewRecord(string conversationId, DateTimeOffset now) => new(
        EventIds.New(now), conversationId, Infrastructure.EventBodies.EventType, now, Data, RequiresFeedback: true, "assistant",
        Infrastructure.EventBodies.Model, new EventUsage(812, 240, 1052), now, EventEntities.ReviewPending);
}
