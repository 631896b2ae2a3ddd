using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Feedback;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>Human feedback and the review queue: <c>/api/feedback</c>.</summary>
public static class FeedbackFunctions
{
    public sealed record FeedbackRequest(string? Id, string? EventId, string? FeedbackMessage, string? Status, double? Value, string? SubmittedAt);

    public static IEndpointRouteBuilder MapFeedbackFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/feedback").WithTags("Feedback");
        group.MapPost("/", SubmitFeedback).RequireAuthorization(AuthSetup.Review).WithSummary("Give feedback or a verdict on an event");
        group.MapGet("/", ListFeedback).RequireAuthorization(AuthSetup.Read).WithSummary("An event's feedback, newest first");
        group.MapGet("/pending", ListPending).RequireAuthorization(AuthSetup.Review).WithSummary("Events awaiting a verdict, oldest first");
        group.MapPost("/pending/claim", ClaimPending).RequireAuthorization(AuthSetup.Review).WithSummary("Lease the oldest unheld pending event");
        return routes;
    }

    public static async Task<IResult> SubmitFeedback(HttpContext context, FeedbackService feedback, Caller caller)
    {
        var request = await JsonBody.ReadAsync<FeedbackRequest>(context, JsonBody.SnakeCase);
        var item = new NewFeedback(
            request.Id ?? IdempotencyKey.IdFor(context.Request, "feedback"),
            Domain.Validation.Required(request.EventId, "event_id", 128),
            request.FeedbackMessage,
            request.Status,
            request.Value,
            "reviewer",
            request.SubmittedAt is null ? null : QueryParameters.Iso8601(request.SubmittedAt, "submitted_at"));
        var (stored, created) = await feedback.SubmitAsync(caller.DataTenant, caller.KeyId, item, context.RequestAborted);
        return Results.Json(ToResponse(stored), statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> ListFeedback(HttpContext context, FeedbackService feedback, Caller caller)
    {
        var eventId = QueryParameters.Optional(context.Request, "event_id")
            ?? throw FuncTraceException.Validation("'event_id' is required.", "event_id");
        var list = await feedback.ListAsync(caller.DataTenant, eventId, context.RequestAborted);
        return Results.Json(new { feedback = list.Select(ToResponse) });
    }

    public static async Task<IResult> ListPending(HttpContext context, ReviewQueueService queue, Caller caller)
    {
        var query = EventPayloads.ReadQuery(context.Request);
        var page = await queue.ListAsync(caller.DataTenant, query, context.RequestAborted);
        return Results.Json(EventPayloads.ToPage(page));
    }

    public static async Task<IResult> ClaimPending(HttpContext context, ReviewQueueService queue, Caller caller)
    {
        var claim = await queue.ClaimAsync(caller.DataTenant, caller.KeyId, EventPayloads.ReadQuery(context.Request), context.RequestAborted);
        return claim is null
            ? Results.NoContent()
            : Results.Json(new { @event = EventPayloads.ToResponse(claim.Event), lease_expires_at = claim.LeaseExpiresAt, reviewer = caller.KeyId });
    }

    private static object ToResponse(FeedbackRecord record) => new Dictionary<string, object?>
    {
        ["id"] = record.Id,
        ["event_id"] = record.EventId,
        ["feedback_message"] = record.Message,
        ["status"] = record.Status,
        ["value"] = record.Value,
        ["source"] = record.Source,
        ["reviewer"] = record.Reviewer,
        ["submitted_at"] = record.SubmittedAt,
        ["created_at"] = record.CreatedAt,
    };
}
