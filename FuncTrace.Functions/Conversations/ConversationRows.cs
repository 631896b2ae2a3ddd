using Azure.Data.Tables;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Conversations;

/// <summary>
/// A conversation's summary row (<c>s|{hash}</c>) and its copy in the newest-activity-first list
/// (<c>a|{inverse last activity}|{hash}</c>), both in the conversation's partition of the views table. The summary is
/// kept from the conversation's events (and a session's start) by the views (<see cref="Fold"/>); archive and rename
/// change both rows together.
/// </summary>
public static class ConversationRows
{
    private static readonly string[] Counts = ["EventCount", "MessageCount", "PromptTokens", "CompletionTokens", "TotalTokens"];

    /// <summary>The summary after <paramref name="events"/> of a slot, starting from <paramref name="existing"/> (null: the first).</summary>
    public static TableEntity Fold(string partition, string conversationId, TableEntity? existing, IEnumerable<ViewItem> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var summary = existing is null ? Started(partition, conversationId) : new TableEntity(existing);
        foreach (var item in events.OrderBy(e => e.Timestamp))
        {
            if (item.Kind == ViewItemKind.Session)
            {
                SessionStarted(summary, item);
                continue;
            }
            ActivityPlan.Add(summary, "EventCount", 1);
            if (item.IsMessage)
            {
                ActivityPlan.Add(summary, "MessageCount", 1);
            }
            if (item.TitleText is { } title && summary.GetBoolean("TitleSet") != true
                && (summary.GetString("Title") is null || item.Timestamp < summary.GetDateTimeOffset("TitleTime")))
            {
                summary["Title"] = title;
                summary["TitleTime"] = item.Timestamp;
            }
            if (item.AssistantPreview is { } preview && !(item.Timestamp < summary.GetDateTimeOffset("LastAssistantTime")))
            {
                summary["LastAssistantPreview"] = preview;
                summary["LastAssistantTime"] = item.Timestamp;
            }
            Touch(summary, item.Timestamp);
            ActivityPlan.Add(summary, "PromptTokens", item.PromptTokens);
            ActivityPlan.Add(summary, "CompletionTokens", item.CompletionTokens);
            ActivityPlan.Add(summary, "TotalTokens", item.TotalTokens);
            if (summary.GetString("Owner") is null && item.User is not null)
            {
                summary["Owner"] = item.User.ToLowerInvariant();
            }
        }
        return summary;
    }

    /// <summary>
    /// A session's start: its name and metadata, and its creation as activity. Setting them again changes nothing, so a
    /// session applied twice (recovery) or after its events is the same summary.
    /// </summary>
    private static void SessionStarted(TableEntity summary, ViewItem session)
    {
        if (session.Name is not null)
        {
            summary["Name"] = session.Name;
        }
        if (session.Metadata is not null)
        {
            summary["Metadata"] = session.Metadata;
        }
        Touch(summary, session.Timestamp);
    }

    /// <summary>The conversation began no later and was last active no earlier than <paramref name="time"/>.</summary>
    private static void Touch(TableEntity summary, DateTimeOffset time)
    {
        if (summary.GetDateTimeOffset("CreatedAt") is not { } created || time < created)
        {
            summary["CreatedAt"] = time;
        }
        if (summary.GetDateTimeOffset("LastActivity") is not { } last || time > last)
        {
            summary["LastActivity"] = time;
        }
    }

    /// <summary>The summary's copy in the list: the same properties under the list's key.</summary>
    public static TableEntity ListRow(TableEntity summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var row = new TableEntity(summary)
        {
            RowKey = ViewKeys.Activity(summary.GetDateTimeOffset("LastActivity") ?? default, summary.GetString("ConversationId")),
        };
        row.ETag = default;
        return row;
    }

    /// <summary>
    /// A summary written before the views have built one (a conversation archived in its first second): what folding
    /// again cannot change — times, title, preview, owner, a session's name — from <paramref name="provisional"/>, and
    /// the counts at zero, since the views will still count every one of its events into it.
    /// </summary>
    public static TableEntity Placeholder(TableEntity provisional)
    {
        ArgumentNullException.ThrowIfNull(provisional);
        var row = new TableEntity(provisional);
        foreach (var count in Counts)
        {
            row[count] = 0L;
        }
        return row;
    }

    private static TableEntity Started(string partition, string conversationId)
    {
        var summary = new TableEntity(partition, ViewKeys.Summary(conversationId)) { ["ConversationId"] = conversationId, ["Archived"] = false };
        foreach (var count in Counts)
        {
            summary[count] = 0L;
        }
        return summary;
    }
}
