using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;

namespace FuncTrace.Functions.Api;

/// <summary>The snake_case shapes of the events face and their mapping to the domain.</summary>
public static class EventPayloads
{
    public sealed record UsageRequest(long? PromptTokens, long? CompletionTokens, long? TotalTokens);

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
        JsonElement? Metadata);

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static NewEvent ToNewEvent(EventRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new NewEvent(
            request.Id,
            Domain.Validation.Required(request.ConversationId, "conversation_id"),
            Domain.Validation.Required(request.EventType, "event_type", 128),
            request.Timestamp is null ? null : QueryParameters.Iso8601(request.Timestamp, "timestamp"),
            request.Data is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } data ? data : EmptyObject,
            request.RequiresFeedback,
            request.Role,
            request.Model,
            request.Usage is null ? null : new EventUsage(request.Usage.PromptTokens, request.Usage.CompletionTokens, request.Usage.TotalTokens),
            request.User,
            request.Metadata is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } metadata ? metadata : null);
    }

    /// <summary>One batch item: parsed and converted on its own so one bad item fails alone.</summary>
    public static NewEvent ParseItem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation("Each item of 'events' must be a JSON object.");
        }
        EventRequest? request;
        try
        {
            request = item.Deserialize<EventRequest>(JsonBody.SnakeCase);
        }
        catch (JsonException ex)
        {
            var field = ex.Path?.TrimStart('$', '.');
            throw new FuncTraceException(ErrorCode.ValidationError, $"'{field}' has the wrong type.", new Dictionary<string, object?> { ["field"] = field });
        }
        return ToNewEvent(request!);
    }

    public static object ToResponse(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new Dictionary<string, object?>
        {
            ["id"] = record.Id,
            ["conversation_id"] = record.ConversationId,
            ["event_type"] = record.EventType,
            ["timestamp"] = record.Timestamp,
            ["data"] = record.Data,
            ["requires_feedback"] = record.RequiresFeedback,
            ["role"] = record.Role,
            ["model"] = record.Model,
            ["usage"] = record.Usage is null ? null : new Dictionary<string, object?>
            {
                ["prompt_tokens"] = record.Usage.PromptTokens,
                ["completion_tokens"] = record.Usage.CompletionTokens,
                ["total_tokens"] = record.Usage.TotalTokens,
            },
            ["review_status"] = record.ReviewStatus,
            ["user"] = record.User,
            ["metadata"] = record.Metadata,
            ["created_at"] = record.CreatedAt,
        };
    }

    public static object ToPage(EventPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new Dictionary<string, object?>
        {
            ["events"] = page.Events.Select(ToResponse).ToList(),
            ["next_cursor"] = page.NextCursor,
        };
    }

    public static EventQuery ReadQuery(HttpRequest request) => new(
        QueryParameters.Optional(request, "conversation_id"),
        QueryParameters.Optional(request, "event_type"),
        QueryParameters.Time(request, "from"),
        QueryParameters.Time(request, "to"),
        QueryParameters.Limit(request),
        QueryParameters.Optional(request, "cursor"),
        QueryParameters.Descending(request));
}
