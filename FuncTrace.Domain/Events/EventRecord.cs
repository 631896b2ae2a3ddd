using System.Text.Json;

namespace FuncTrace.Domain.Events;

/// <summary>
/// One stored event: what a CLI or agent logged, plus what the service decided (id, review need).
/// <see cref="User"/> is the end user's email when a face knows it; <see cref="Metadata"/> is the client's own context.
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
    string? User = null,
    JsonElement? Metadata = null);

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
    JsonElement? Metadata = null);
