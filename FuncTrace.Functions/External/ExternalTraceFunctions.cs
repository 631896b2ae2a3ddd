using FuncTrace.Functions.Events;
using FuncTrace.Functions.Feedback;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.External;

/// <summary>
/// The external trace face, camelCase, every answer <c>{"success": ...}</c> as its existing clients expect (the pipeline
/// gives its failures that shape and answers 503 while it is switched off). A trace is an event of the conversation
/// <c>chatId</c>; feedback is the same record as <c>api/feedback</c>. Each route also takes <c>OPTIONS</c>, so the pipeline
/// can answer browser preflights.
/// <code>
/// GET  api/external/health           ExternalHealth          no key; the face is up
/// POST api/external/trace/submit     SubmitExternalTrace     a registered user's message (ingest key)
/// POST api/external/trace/feedback   SubmitExternalFeedback  feedback on a trace (any key of the tenant)
/// </code>
/// </summary>
[ExternalFace]
public sealed class ExternalTraceFunctions(
    EventService events,
    FeedbackService feedback,
    RegisteredUserService users,
    IOptions<ExternalTraceOptions> options,
    TimeProvider time)
{
    public const string NotRegistered = "Invalid email: not registered in system";
    private const string Health = "api/external/health";
    private const string Submit = "api/external/trace/submit";
    private const string FeedbackRoute = "api/external/trace/feedback";

    [Function("ExternalHealth")]
    [Access(Access.Anonymous)]
    public Results<Ok<ExternalHealthResponse>, NoContent> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = Health)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsOptions(request, "GET")
            ? TypedResults.NoContent()
            : TypedResults.Ok(new ExternalHealthResponse("ok", "external-trace", time.GetUtcNow()));
    }

    [Function("SubmitExternalTrace")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(TraceSubmission), Example = """{"email": "dev@example.com", "message": "Hi", "response": "Hello!", "metadata": {"chatId": "chat-1", "model": "gpt-4o-mini"}}""")]
    public async Task<Results<Ok<TraceSubmittedResponse>, Ok<ApiError.ExternalFailure>, NoContent>> SubmitTrace(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = Submit)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsOptions(request, "POST"))
        {
            return TypedResults.NoContent();
        }
        var body = await JsonBody.ReadObjectAsync(request);
        var submission = JsonBody.Deserialize<TraceSubmission>(body, JsonBody.CamelCase);
        var metadata = JsonBody.Deserialize<TraceMetadataAsSent>(body, JsonBody.CamelCase).Metadata;
        var email = Domain.Validation.Required(submission.Email, "email", RegisteredUserService.MaxEmailLength).Trim().ToLowerInvariant();
        var item = ExternalTraceMapping.ToNewEvent(submission, metadata, email, options.Value) with { Id = IdempotencyKey.IdFor(request, "event") };
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!await users.IsRegisteredAsync(tenant, email, cancellationToken))
        {
            // This face's clients expect a refusal of the user as a 200 that says so, not as an HTTP error.
            return TypedResults.Ok(new ApiError.ExternalFailure(false, NotRegistered));
        }
        var (stored, created) = await events.CreateAsync(tenant, item, cancellationToken);
        MarkReplay(request, created);
        return TypedResults.Ok(new TraceSubmittedResponse(true, stored.Id));
    }

    [Function("SubmitExternalFeedback")]
    [Access(Access.AnyRole)]
    [RequestBody(typeof(TraceFeedback), Example = """{"traceId": "trace-1", "value": 1, "comment": "Good answer."}""")]
    public async Task<Results<Ok<TraceFeedbackResponse>, NoContent>> SubmitFeedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = FeedbackRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsOptions(request, "POST"))
        {
            return TypedResults.NoContent();
        }
        var body = await JsonBody.ReadAsync<TraceFeedback>(request, JsonBody.CamelCase);
        var item = ExternalTraceMapping.ToNewFeedback(body) with { Id = IdempotencyKey.IdFor(request, "feedback") };
        var caller = request.Caller();
        var (stored, created) = await feedback.SubmitAsync(caller.DataTenant, caller.KeyId, item, request.HttpContext.RequestAborted);
        MarkReplay(request, created);
        return TypedResults.Ok(new TraceFeedbackResponse(true, stored.Id));
    }

    /// <summary>
    /// A plain <c>OPTIONS</c> (a preflight never gets here: the pipeline answers it) is told what the route allows.
    /// </summary>
    private static bool IsOptions(HttpRequest request, string method)
    {
        if (!HttpMethods.IsOptions(request.Method))
        {
            return false;
        }
        request.HttpContext.Response.Headers.Allow = method + ", OPTIONS";
        return true;
    }

    /// <summary>A retry with the same Idempotency-Key answers as the first did, and says it is a replay as api/events does.</summary>
    private static void MarkReplay(HttpRequest request, bool created)
    {
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
        }
    }
}
