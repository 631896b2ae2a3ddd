using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Feedback;

public sealed record FeedbackRequest(string? Id, string? EventId, string? FeedbackMessage, string? Status, double? Value, string? SubmittedAt);

public sealed record FeedbackResponse(string Id, string EventId, string? FeedbackMessage, string Status, double? Value, string Source, string Reviewer, DateTimeOffset SubmittedAt, DateTimeOffset CreatedAt)
{
    public static FeedbackResponse From(FeedbackRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.EventId, record.Message, record.Status, record.Value, record.Source, record.Reviewer, record.SubmittedAt, record.CreatedAt);
    }
}

public sealed record FeedbackListResponse(IReadOnlyList<FeedbackResponse> Feedback);

public sealed record ClaimResponse(EventResponse Event, DateTimeOffset LeaseExpiresAt, string Reviewer);

public sealed record ReviewCountsResponse(long Pending, long DoneToday);
