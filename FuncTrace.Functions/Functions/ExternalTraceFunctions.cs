using FuncTrace.Domain.Events;
using FuncTrace.Domain.Feedback;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;
using FuncTrace.Functions.Hosting;
using Microsoft.Extensions.Options;
using static FuncTrace.Functions.Api.ExternalTracePayloads;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// The external trace face: <c>/api/external</c>, camelCase, answers <c>{"success": ...}</c> as its existing clients
/// expect. Traces become events of the conversation <c>chatId</c>; feedback becomes the same record as <c>/api/feedback</c>.
/// </summary>
public static class ExternalTraceFunctions
{
    public const string NotRegistered = "Invalid email: not registered in system";

    public static IEndpointRouteBuilder MapExternalTraceFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(ExternalTraceEnvelope.PathPrefix).WithTags("External trace");
        group.MapGet("/health", Health).AllowAnonymous().WithSummary("The external face is up");
        group.MapPost("/trace/submit", SubmitTrace).RequireAuthorization(AuthSetup.Ingest).WithSummary("Submit a message of a registered user");
        // Any tenant key: end-user apps that submit traces hold ingest keys and pass their users' feedback on.
        group.MapPost("/trace/feedback", SubmitFeedback).RequireAuthorization(AuthSetup.Read).WithSummary("Feedback on a submitted trace");
        return routes;
    }

    public static IResult Health(TimeProvider time) =>
        Results.Json(new { status = "ok", service = "external-trace", timestamp = time.GetUtcNow() });

    public static async Task<IResult> SubmitTrace(HttpContext context, EventService events, RegisteredUserService users, IOptions<ExternalTraceOptions> options, Caller caller)
    {
        var submission = await JsonBody.ReadAsync<TraceSubmission>(context, JsonBody.CamelCase);
        var email = Domain.Validation.Required(submission.Email, "email", RegisteredUserService.MaxEmailLength).Trim().ToLowerInvariant();
        var item = ToNewEvent(submission, email, options.Value) with { Id = IdempotencyKey.IdFor(context.Request, "event") };
        if (!await users.IsRegisteredAsync(caller.DataTenant, email, context.RequestAborted))
        {
            return Results.Json(ExternalTraceEnvelope.Failure(NotRegistered));
        }
        var (stored, _) = await events.CreateAsync(caller.DataTenant, item, context.RequestAborted);
        return Results.Json(new { success = true, traceId = stored.Id });
    }

    public static async Task<IResult> SubmitFeedback(HttpContext context, FeedbackService feedback, Caller caller)
    {
        var request = await JsonBody.ReadAsync<TraceFeedback>(context, JsonBody.CamelCase);
        var item = ToNewFeedback(request) with { Id = IdempotencyKey.IdFor(context.Request, "feedback") };
        var (stored, _) = await feedback.SubmitAsync(caller.DataTenant, caller.KeyId, item, context.RequestAborted);
        return Results.Json(new { success = true, feedbackId = stored.Id });
    }
}
