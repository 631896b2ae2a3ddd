using System.Text.Json;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Sessions;

/// <summary>The body of <c>POST api/sessions</c>.</summary>
public sealed record SessionRequest(string? Name, JsonElement? Metadata);

/// <summary>The body of <c>POST api/sessions/{id}/events</c>; <see cref="Id"/> (or an Idempotency-Key) makes a retry safe.</summary>
public sealed record SessionEventRequest(string? Id, string? EventType, JsonElement? Data, JsonElement? Metadata);

public sealed record CreatedSessionResponse(string SessionId, DateTimeOffset CreatedAt, string Status);

public sealed record SessionResponse(
    string SessionId,
    string? Name,
    JsonElement? Metadata,
    DateTimeOffset CreatedAt,
    string Status,
    DateTimeOffset LastActivity,
    long EventCount,
    long MessageCount,
    string? Owner)
{
    public static SessionResponse From(SessionRecord session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new(session.SessionId, session.Name, session.Metadata, session.CreatedAt, session.Status, session.LastActivity,
            session.EventCount, session.MessageCount, session.Owner);
    }
}

/// <summary>A session's event; <see cref="Sequence"/> is its place in the session (null for an event of its conversation logged elsewhere).</summary>
public sealed record SessionEventResponse(
    string EventId,
    string SessionId,
    long? Sequence,
    string EventType,
    DateTimeOffset Timestamp,
    JsonElement Data,
    JsonElement? Metadata)
{
    public static SessionEventResponse From(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.ConversationId, record.Sequence, record.EventType, record.Timestamp, record.Data, record.Metadata);
    }
}

public sealed record SessionEventPageResponse(string SessionId, IReadOnlyList<SessionEventResponse> Events, int Limit, int Offset, bool HasMore);
