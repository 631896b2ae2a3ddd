using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Conversations;

/// <summary>
/// Keeps each conversation's summary, its place in the newest-activity-first list and its storage-order log
/// (<c>q|</c> rows, numbered from the summary's event count) in step with the events stored. Because the summary's
/// ETag guards every write, two writers can never take the same sequence number.
/// </summary>
public sealed class ConversationAggregate : IEventAggregate
{
    /// <summary>Summary, old and new list row, and the event's log row.</summary>
    public int MaxActionsPerEvent => 4;

    public async Task<IReadOnlyList<TableTransactionAction>> ActionsAsync(TableClient table, string tenant, IReadOnlyList<StagedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(events);
        var conversations = events.GroupBy(e => e.Record.ConversationId, StringComparer.Ordinal).ToList();
        var summaries = await Task.WhenAll(conversations.Select(c =>
            table.GetEntityIfExistsAsync(tenant, EventKeys.Summary(c.Key), cancellationToken: cancellationToken))).ConfigureAwait(false);

        var actions = new List<TableTransactionAction>();
        for (var i = 0; i < conversations.Count; i++)
        {
            actions.AddRange(Fold(tenant, conversations[i].Key, summaries[i], conversations[i].ToList()));
        }
        return actions;
    }

    private static List<TableTransactionAction> Fold(string tenant, string conversationId, TableEntity? existing, List<StagedEvent> events)
    {
        var summary = existing is null ? StartedBy(tenant, conversationId, events[0].Record) : EventEntities.CopyAs(existing, existing.RowKey);

        var logRows = new List<TableTransactionAction>();
        foreach (var staged in events)
        {
            var sequence = Count(summary, staged.Record);
            var logRow = EventEntities.CopyAs(staged.Row, EventKeys.SequenceRow(conversationId, sequence));
            logRow["Sequence"] = sequence;
            logRows.Add(new(TableTransactionActionType.Add, logRow));
        }

        var listRow = ConversationSummary.ActivityRow(summary);
        var actions = new List<TableTransactionAction>
        {
            existing is null
                ? new(TableTransactionActionType.Add, summary)
                : new(TableTransactionActionType.UpdateReplace, summary, existing.ETag),
            new(TableTransactionActionType.UpsertReplace, listRow),
        };
        if (existing is not null && ConversationSummary.ActivityRow(existing).RowKey is var oldKey && oldKey != listRow.RowKey)
        {
            // Activity moved: the list row moves with it.
            actions.Add(new(TableTransactionActionType.Delete, new TableEntity(tenant, oldKey)));
        }
        actions.AddRange(logRows);
        return actions;
    }

    /// <summary>A conversation started by its first event: created when stored, active as of the event's time.</summary>
    private static TableEntity StartedBy(string tenant, string conversationId, EventRecord first)
    {
        var summary = ConversationSummary.NewRow(tenant, conversationId, first.CreatedAt, name: null, metadata: null);
        summary["LastActivity"] = first.Timestamp;
        return summary;
    }

    /// <summary>Adds one event to the summary's properties; returns its sequence number.</summary>
    private static long Count(TableEntity summary, EventRecord record)
    {
        var sequence = (summary.GetInt64("EventCount") ?? 0) + 1;
        summary["EventCount"] = sequence;
        if (MessageText.IsMessage(record))
        {
            summary["MessageCount"] = (summary.GetInt64("MessageCount") ?? 0) + 1;
        }
        if (MessageText.UserText(record) is { } userText
            && (summary.GetString("Title") is null || record.Timestamp < summary.GetDateTimeOffset("TitleTime")))
        {
            summary["Title"] = MessageText.Truncate(userText, ConversationSummary.TitleLength);
            summary["TitleTime"] = record.Timestamp;
        }
        if (MessageText.AssistantText(record) is { } assistantText
            && !(record.Timestamp < summary.GetDateTimeOffset("LastAssistantTime")))
        {
            summary["LastAssistantPreview"] = MessageText.Truncate(assistantText, ConversationSummary.PreviewLength);
            summary["LastAssistantTime"] = record.Timestamp;
        }
        if (record.Timestamp > (summary.GetDateTimeOffset("LastActivity") ?? default))
        {
            summary["LastActivity"] = record.Timestamp;
        }
        if (record.Usage is { } usage)
        {
            summary["PromptTokens"] = (summary.GetInt64("PromptTokens") ?? 0) + (usage.PromptTokens ?? 0);
            summary["CompletionTokens"] = (summary.GetInt64("CompletionTokens") ?? 0) + (usage.CompletionTokens ?? 0);
            summary["TotalTokens"] = (summary.GetInt64("TotalTokens") ?? 0) + usage.Total;
        }
        if (summary.GetString("Owner") is null && record.User is not null)
        {
            summary["Owner"] = record.User.ToLowerInvariant();
        }
        return sequence;
    }
}
