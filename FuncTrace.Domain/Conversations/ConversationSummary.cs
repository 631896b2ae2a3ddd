using System.Text.Json;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Conversations;

/// <summary>
/// What is known of a conversation without reading its events. <see cref="EventCount"/> is also the sequence number
/// of its newest event in storage order (the live tail's position); <see cref="Owner"/> is the first user email seen,
/// lowercased; <see cref="Name"/> and <see cref="Metadata"/> are set when it was started as a session.
/// </summary>
public sealed record ConversationSummary(
    string ConversationId,
    string? Title,
    long EventCount,
    long MessageCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActivity,
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
    public const int TitleLength = 100;
    public const int PreviewLength = 200;

    public static ConversationSummary FromRow(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(
            row.GetString("ConversationId")!,
            row.GetString("Title"),
            row.GetInt64("EventCount") ?? 0,
            row.GetInt64("MessageCount") ?? 0,
            row.GetDateTimeOffset("CreatedAt") ?? default,
            row.GetDateTimeOffset("LastActivity") ?? default,
            row.GetString("LastAssistantPreview"),
            row.GetInt64("PromptTokens") ?? 0,
            row.GetInt64("CompletionTokens") ?? 0,
            row.GetInt64("TotalTokens") ?? 0,
            row.GetBoolean("Archived") ?? false,
            row.GetDateTimeOffset("ArchivedAt"),
            row.GetString("Owner"),
            row.GetString("Name"),
            row.GetString("Metadata") is { } metadata ? EventEntities.ParseJson(metadata) : null);
    }

    /// <summary>A new conversation's summary, before any event is counted.</summary>
    public static TableEntity NewRow(string tenant, string conversationId, DateTimeOffset createdAt, string? name, JsonElement? metadata) => new(tenant, EventKeys.Summary(conversationId))
    {
        { "ConversationId", conversationId },
        { "EventCount", 0L },
        { "MessageCount", 0L },
        { "PromptTokens", 0L },
        { "CompletionTokens", 0L },
        { "TotalTokens", 0L },
        { "CreatedAt", createdAt },
        { "LastActivity", createdAt },
        { "Archived", false },
        { "Name", name },
        { "Metadata", metadata is { } json ? EventEntities.CompactJson(json) : null },
    };

    /// <summary>The summary's copy in the newest-activity-first list: same properties, the list's key.</summary>
    public static TableEntity ActivityRow(TableEntity summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return EventEntities.CopyAs(summary, EventKeys.ActivityRow(summary.GetDateTimeOffset("LastActivity") ?? default, summary.GetString("ConversationId")!));
    }
}
