using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Events;

public sealed record UsageRequest(long? PromptTokens, long? CompletionTokens, long? TotalTokens);

/// <summary>The snake_case body of <c>POST api/events</c> and of each item of a batch.</summary>
public sealed record EventRequest(
    string? Id,
    string? ConversationId,
    string? EventType,
    string? Timestamp,
    JsonElement? Data,
    bool? RequiresFeedback,
    string? Role,
    string? Model,
    UsageRequest? Usage,
    string? User,
    JsonElement? Metadata,
    string? ParentId)
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public NewEvent ToNewEvent() => new(
        Id,
        Domain.Validation.Required(ConversationId, "conversation_id", EventValidation.MaxConversationIdLength),
        Domain.Validation.Required(EventType, "event_type", EventValidation.MaxTypeLength),
        Timestamp is null ? null : QueryParameters.Iso8601(Timestamp, "timestamp"),
        Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data ? data : EmptyObject,
        RequiresFeedback,
        Role,
        Model,
        Usage is null ? null : new EventUsage(Usage.PromptTokens, Usage.CompletionTokens, Usage.TotalTokens),
        User,
        Metadata is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } metadata ? metadata : null,
        ParentId);

    /// <summary>One batch item, parsed on its own so one bad item fails alone.</summary>
    public static NewEvent Parse(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation("Each item of 'events' must be a JSON object.");
        }
        return JsonBody.Deserialize<EventRequest>(item, JsonBody.SnakeCase).ToNewEvent();
    }
}

public sealed record UsageResponse(long? PromptTokens, long? CompletionTokens, long? TotalTokens);

public sealed record EventResponse(
    string Id,
    string ConversationId,
    string EventType,
    DateTimeOffset Timestamp,
    JsonElement Data,
    bool RequiresFeedback,
    string? Role,
    string? Model,
    UsageResponse? Usage,
    string? ReviewStatus,
    string? User,
    JsonElement? Metadata,
    long? Sequence,
    string? ParentId,
    DateTimeOffset CreatedAt)
{
    public static EventResponse From(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.ConversationId, record.EventType, record.Timestamp, record.Data, record.RequiresFeedback, record.Role, record.Model,
            record.Usage is { } usage ? new UsageResponse(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens) : null,
            record.ReviewStatus, record.User, record.Metadata, record.Sequence, record.ParentId, record.CreatedAt);
    }
}

public sealed record EventPageResponse(IReadOnlyList<EventResponse> Events, string? NextCursor)
{
    public static EventPageResponse From(EventPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new(page.Events.Select(EventResponse.From).ToList(), page.NextCursor);
    }
}

public sealed record BatchItemError(string Code, string Message);

public sealed record BatchItemResponse(int Index, string? Id, string Status, BatchItemError? Error);

public sealed record BatchResponse(IReadOnlyList<BatchItemResponse> Results, int Created, int Duplicates, int Failed);

/// <summary>The body of <c>POST api/events/batch</c>, as the document shows it (the handler reads each item on its own to answer per item).</summary>
public sealed record EventBatchRequest(List<EventRequest?>? Events);
