using System.Text.Json;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Conversations;

public sealed record ConversationUsageResponse(long PromptTokens, long CompletionTokens, long TotalTokens);

/// <summary>A conversation's summary as the API shows it (snake_case).</summary>
public sealed record ConversationResponse(
    string ConversationId,
    string? Title,
    long MessageCount,
    long EventCount,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastActivity,
    string? LastAssistantPreview,
    ConversationUsageResponse Usage,
    bool Archived,
    DateTimeOffset? ArchivedAt,
    string? Owner,
    string? Name,
    JsonElement? Metadata)
{
    public static ConversationResponse From(ConversationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new(summary.ConversationId, summary.Title, summary.MessageCount, summary.EventCount, summary.CreatedAt, summary.LastActivity,
            summary.LastAssistantPreview, new ConversationUsageResponse(summary.PromptTokens, summary.CompletionTokens, summary.TotalTokens),
            summary.Archived, summary.ArchivedAt, summary.Owner, summary.Name, summary.Metadata);
    }
}

public sealed record ConversationListResponse(IReadOnlyList<ConversationResponse> Conversations, string? NextCursor);

/// <summary><c>GET api/conversations/{id}</c>: the summary and a page of its events, oldest first.</summary>
public sealed record ConversationDetailResponse(ConversationResponse Conversation, IReadOnlyList<EventResponse> Events, string? NextCursor);
