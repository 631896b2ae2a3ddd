using System.Text.Json;

namespace FuncTrace.Functions.Events;

/// <summary>Token counts as the model reported them.</summary>
public sealed record EventUsage(long? PromptTokens, long? CompletionTokens, long? TotalTokens)
{
    /// <summary>The total as reported, else the sum of its parts.</summary>
    public long Total => TotalTokens ?? ((PromptTokens ?? 0) + (CompletionTokens ?? 0));
}

/// <summary>An event as submitted, already validated.</summary>
public sealed record NewEvent(
    string? Id,
    string ConversationId,
    string EventType,
    DateTimeOffset? Timestamp,
    JsonElement Data,
    bool? RequiresFeedback,
    string? Role,
    string? Model,
    EventUsage? Usage,
    string? User = null,
    JsonElement? Metadata = null,
    string? ParentId = null);

/// <summary>
/// One stored event: what a CLI or agent logged, plus what the service decided (id, review need, verdict).
/// <see cref="Sequence"/> is set for a session's events (their gap-free order); <see cref="ParentId"/> for chat messages
/// that answer another.
/// </summary>
public sealed record EventRecord(
    string Id,
    string ConversationId,
    string EventType,
    DateTimeOffset Timestamp,
    JsonElement Data,
    bool RequiresFeedback,
    string? Role,
    string? Model,
    EventUsage? Usage,
    DateTimeOffset CreatedAt,
    string? ReviewStatus,
    string? User,
    JsonElement? Metadata,
    long? Sequence,
    string? ParentId);

/// <summary>
/// An event with where it is stored: its partition, sort key, ingest slot, the key of the row that holds it (its own, or
/// its page's, see <see cref="PackedEvents"/>) and that row's ETag.
/// </summary>
public sealed record StoredEvent(EventRecord Record, string PartitionKey, string SortKey, string? Slot, string RowKey, Azure.ETag ETag);

/// <summary>A page of events and the cursor for the next (null at the end).</summary>
public sealed record EventPage(IReadOnlyList<EventRecord> Events, string? NextCursor);

/// <summary>What a list of events asks for.</summary>
public sealed record EventQuery(
    string? ConversationId,
    string? EventType,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int Limit,
    string? Cursor,
    bool Descending);

/// <summary>The outcome of one item of a batch: stored (new or replayed) or refused with an error.</summary>
public sealed record BatchItemResult(int Index, string? Id, string Status, EventRecord? Event, Domain.Errors.FuncTraceException? Error)
{
    public const string Created = "created";
    public const string Duplicate = "duplicate";
    public const string Failed = "error";

    public static BatchItemResult Stored(int index, EventRecord record, bool created) =>
        new(index, record.Id, created ? Created : Duplicate, record, null);

    public static BatchItemResult Refused(int index, string? id, Domain.Errors.FuncTraceException error) =>
        new(index, id, Failed, null, error);
}
