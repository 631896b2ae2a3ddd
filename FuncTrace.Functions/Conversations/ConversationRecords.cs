using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Conversations;

/// <summary>What <c>GET api/conversations</c> filters and pages by; <see cref="User"/> is matched without regard to case.</summary>
public sealed record ConversationQuery(string? User, bool IncludeArchived, int Limit, string? Cursor);

/// <summary>One page of summaries and the cursor of the next (null on the last page).</summary>
public sealed record ConversationPage(IReadOnlyList<ConversationSummary> Conversations, string? NextCursor);

/// <summary>
/// What is known of a conversation without reading its events: counts and tokens, the first user words as its title,
/// the last assistant words, its owner (the first user email seen, lowercased), whether it is archived, and the name
/// and metadata it was started with when it is a session.
/// </summary>
public sealed record ConversationSummary(
    string ConversationId,
    string? Title,
    long EventCount,
    long MessageCount,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastActivity,
    string? LastAssistantPreview,
    long PromptTokens,
    long CompletionTokens,
    long TotalTokens,
    bool Archived,
    DateTimeOffset? ArchivedAt,
    string? Owner,
    string? Name,
    JsonElement? Metadata)
{
    public static ConversationSummary FromRow(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(
            row.GetString("ConversationId"),
            row.GetString("Title"),
            row.GetInt64("EventCount") ?? 0,
            row.GetInt64("MessageCount") ?? 0,
            row.GetDateTimeOffset("CreatedAt"),
            row.GetDateTimeOffset("LastActivity"),
            row.GetString("LastAssistantPreview"),
            row.GetInt64("PromptTokens") ?? 0,
            row.GetInt64("CompletionTokens") ?? 0,
            row.GetInt64("TotalTokens") ?? 0,
            row.GetBoolean("Archived") ?? false,
            row.GetDateTimeOffset("ArchivedAt"),
            row.GetString("Owner"),
            row.GetString("Name"),
            row.GetString("Metadata") is { } metadata ? JsonBody.ParseStored(metadata) : null);
    }
}

/// <summary>The body of <c>PATCH api/conversations/{id}</c>.</summary>
public sealed record RenameConversationRequest(string? Title);

/// <summary><c>GET api/conversations/{id}/search</c>: matches in message order; <see cref="Scanned"/> events were read to find them.</summary>
public sealed record ConversationSearchResponse(string ConversationId, string Query, IReadOnlyList<SearchMatch> Matches, int Scanned, string? NextCursor);
