using System.Text.Json;
using System.Text.Json.Serialization;

namespace FuncTrace.Functions.External;

public sealed record TraceUsage(long? PromptTokens, long? CompletionTokens, long? TotalTokens);

public sealed record TraceMetadata(
    string? ChatId,
    string? SessionId,
    string? Source,
    string? Task,
    string? Model,
    string? ModelName,
    List<string>? Tags,
    string? Timestamp,
    TraceUsage? Usage);

/// <summary>The camelCase body of <c>POST api/external/trace/submit</c>.</summary>
public sealed record TraceSubmission(string? Email, string? Message, string? IpAddress, string? Role, string? Response, TraceMetadata? Metadata);

/// <summary>The same body's <c>metadata</c> as the client sent it, which the event keeps.</summary>
public sealed record TraceMetadataAsSent(JsonElement? Metadata);

/// <summary>The camelCase body of <c>POST api/external/trace/feedback</c>; a value or score is a number or a boolean.</summary>
public sealed record TraceFeedback(string? TraceId, string? MessageId, JsonElement? Value, JsonElement? Score, string? Comment);

public sealed record ExternalHealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp);

public sealed record TraceSubmittedResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("traceId")] string TraceId);

public sealed record TraceFeedbackResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("feedbackId")] string FeedbackId);
