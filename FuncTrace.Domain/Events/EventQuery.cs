namespace FuncTrace.Domain.Events;

/// <summary>What <c>GET /api/events</c> and the review queue filter and page by.</summary>
public sealed record EventQuery(
    string? ConversationId = null,
    string? EventType = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 50,
    string? Cursor = null,
    bool Descending = false);

/// <summary>One page of events and the cursor of the next (null on the last page).</summary>
public sealed record EventPage(IReadOnlyList<EventRecord> Events, string? NextCursor);
