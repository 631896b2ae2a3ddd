using FuncTrace.Domain.Conversations;
using FuncTrace.Domain.Events;

namespace FuncTrace.Functions.Api;

/// <summary>The snake_case shapes of conversations and sessions (a session is a conversation seen from another face).</summary>
public static class ConversationPayloads
{
    public static object ToResponse(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new Dictionary<string, object?>
        {
            ["conversation_id"] = summary.ConversationId,
            ["title"] = summary.Title,
            ["message_count"] = summary.MessageCount,
            ["event_count"] = summary.EventCount,
            ["created_at"] = summary.CreatedAt,
            ["last_activity"] = summary.LastActivity,
            ["last_assistant_preview"] = summary.LastAssistantPreview,
            ["usage"] = new Dictionary<string, object?>
            {
                ["prompt_tokens"] = summary.PromptTokens,
                ["completion_tokens"] = summary.CompletionTokens,
                ["total_tokens"] = summary.TotalTokens,
            },
            ["archived"] = summary.Archived,
            ["archived_at"] = summary.ArchivedAt,
            ["owner"] = summary.Owner,
            ["name"] = summary.Name,
            ["metadata"] = summary.Metadata,
        };
    }

    public static object ToSession(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new Dictionary<string, object?>
        {
            ["session_id"] = summary.ConversationId,
            ["name"] = summary.Name,
            ["metadata"] = summary.Metadata,
            ["created_at"] = summary.CreatedAt,
            ["status"] = summary.Archived ? "archived" : "active",
            ["last_activity"] = summary.LastActivity,
            ["event_count"] = summary.EventCount,
            ["message_count"] = summary.MessageCount,
            ["owner"] = summary.Owner,
        };
    }

    /// <summary>A session's event; <paramref name="sequence"/> is its place in storage order, when read from there.</summary>
    public static object ToSessionEvent(EventRecord record, long? sequence)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new Dictionary<string, object?>
        {
            ["event_id"] = record.Id,
            ["session_id"] = record.ConversationId,
            ["sequence"] = sequence,
            ["event_type"] = record.EventType,
            ["timestamp"] = record.Timestamp,
            ["data"] = record.Data,
            ["metadata"] = record.Metadata,
        };
    }
}
