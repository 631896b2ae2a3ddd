using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Feedback;

/// <summary>
/// Human feedback and the review queue.
/// <code>
/// POST api/feedback                             SubmitFeedback   a comment, or a verdict (approved/rejected)
/// GET  api/feedback?event_id=                   ListFeedback     an event's feedback, newest first
/// GET  api/feedback/pending                     ListPending      events awaiting a verdict, oldest first
/// GET  api/feedback/pending/count               CountPending     waiting now, and judged today
/// POST api/feedback/pending/claim               ClaimPending     lease the oldest event nobody holds (204: none)
/// POST api/feedback/pending/{event_id}/release  ReleasePending   give a lease back (skip)
/// </code>
/// </summary>
public sealed class FeedbackFunctions(FeedbackService feedback, ReviewQueue queue)
{
    private const string FeedbackRoute = "api/feedback";
    private const string Pending = "api/feedback/pending";
    private const string Count = "api/feedback/pending/count";
    private const string Claim = "api/feedback/pending/claim";
    private const string Release = "api/feedback/pending/{eventId}/release";

    [Function("SubmitFeedback")]
    [Access(Access.Review)]
    [RequestBody(typeof(FeedbackRequest), Example = """{"event_id": "01M8SZ2FS9PJFRPZZZZZZZZZZZ", "feedback_message": "Looks right.", "status": "approved"}""")]
    public async Task<Results<Created<FeedbackResponse>, Ok<FeedbackResponse>>> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = FeedbackRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<FeedbackRequest>(request, JsonBody.SnakeCase);
        var caller = request.Caller();
        var item = new NewFeedback(
            body.Id ?? IdempotencyKey.IdFor(request, "feedback"),
            Validation.Required(body.EventId, "event_id", EventValidation.MaxIdLength),
            body.FeedbackMessage,
            body.Status,
            body.Value,
            "reviewer",
            body.SubmittedAt is null ? null : QueryParameters.Iso8601(body.SubmittedAt, "submitted_at"));
        var (stored, created) = await feedback.SubmitAsync(caller.DataTenant, caller.KeyId, item, request.HttpContext.RequestAborted);
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(FeedbackResponse.From(stored));
        }
        return TypedResults.Created($"/{FeedbackRoute}?event_id={Uri.EscapeDataString(stored.EventId)}", FeedbackResponse.From(stored));
    }

    [Function("ListFeedback")]
    [Access(Access.AnyRole)]
    public async Task<Ok<FeedbackListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = FeedbackRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var eventId = QueryParameters.Optional(request, "event_id") ?? throw FuncTraceException.Validation("'event_id' is required.", "event_id");
        var list = await feedback.ListAsync(request.Caller().DataTenant, eventId, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new FeedbackListResponse(list.Select(FeedbackResponse.From).ToList()));
    }

    [Function("ListPending")]
    [Access(Access.Review)]
    public async Task<Ok<EventPageResponse>> ListPending(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Pending)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = EventFunctions.ReadQuery(request);
        var page = await queue.ListAsync(request.Caller().DataTenant, FilterOf(query), query.Limit, query.Cursor, request.HttpContext.RequestAborted);
        return TypedResults.Ok(EventPageResponse.From(page));
    }

    [Function("CountPending")]
    [Access(Access.Review)]
    public async Task<Ok<ReviewCountsResponse>> CountPending(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Count)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var counts = await queue.CountsAsync(request.Caller().DataTenant, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new ReviewCountsResponse(counts.Pending, counts.DoneToday));
    }

    [Function("ClaimPending")]
    [Access(Access.Review)]
    public async Task<Results<Ok<ClaimResponse>, NoContent>> ClaimNext(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Claim)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = request.Caller();
        var claim = await queue.ClaimAsync(caller.DataTenant, caller.KeyId, FilterOf(EventFunctions.ReadQuery(request)), request.HttpContext.RequestAborted);
        return claim is null
            ? TypedResults.NoContent()
            : TypedResults.Ok(new ClaimResponse(EventResponse.From(claim.Event), claim.LeaseExpiresAt, claim.Reviewer));
    }

    [Function("ReleasePending")]
    [Access(Access.Review)]
    public async Task<NoContent> ReleaseClaim(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Release)] HttpRequest request, string eventId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = request.Caller();
        await queue.ReleaseAsync(caller.DataTenant, caller.KeyId, eventId, request.HttpContext.RequestAborted);
        return TypedResults.NoContent();
    }

    private static ReviewQueue.Filter FilterOf(EventQuery query) => new(query.ConversationId, query.EventType, query.From, query.To);
}
