namespace FuncTrace.Functions.Feedback;

/// <summary>A human verdict or comment on one event, whichever face it came through.</summary>
public sealed record FeedbackRecord(
    string Id,
    string EventId,
    string? Message,
    string Status,
    double? Value,
    string Source,
    string Reviewer,
    DateTimeOffset SubmittedAt,
    DateTimeOffset CreatedAt);

/// <summary>Feedback as submitted. <see cref="Id"/> (optional) makes a retried submission idempotent.</summary>
public sealed record NewFeedback(
    string? Id,
    string EventId,
    string? Message,
    string? Status,
    double? Value,
    string? Source,
    DateTimeOffset? SubmittedAt);

public static class FeedbackStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Pending, Approved, Rejected };

    public static bool IsFinal(string? status) => status is Approved or Rejected;
}

/// <summary>A reviewer's hold on a pending event.</summary>
public sealed record ReviewClaim(Events.EventRecord Event, DateTimeOffset LeaseExpiresAt, string Reviewer);

/// <summary>The review queue's totals: waiting, and judged today (UTC).</summary>
public sealed record ReviewCounts(long Pending, long DoneToday);
