using System.Text.Json;

namespace FuncTrace.Domain.Events;

/// <summary>One stored event: what a CLI or agent logged, plus what the service decided (id, review need).</summary>
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
    string? ReviewStatus);

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
    EventUsage? Usage);
