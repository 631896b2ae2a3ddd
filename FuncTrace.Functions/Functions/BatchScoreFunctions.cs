using FuncTrace.Domain.BatchScoring;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// LLM-as-judge batch scoring: <c>/api/batchScore</c>. The POST creates a job and fans it out through the
/// queue; it then waits for the job (JSON) or streams its progress (SSE), reading progress from storage.
/// </summary>
public static class BatchScoreFunctions
{
    public static IEndpointRouteBuilder MapBatchScoreFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batchScore").RequireAuthorization(AuthSetup.Ingest).WithTags("LLM");
        group.MapPost("/", StartJob).WithSummary("Score tests against a judging matrix; JSON answer or an SSE progress stream");
        group.MapGet("/{jobId}", GetJob).WithSummary("A job's status, results so far and failures");
        group.MapGet("/{jobId}/events", StreamJob).WithSummary("The job's progress as Server-Sent Events, resumable with Last-Event-ID");
        group.MapDelete("/{jobId}", CancelJob).WithSummary("Cancel what has not been scored yet");
        return routes;
    }

    public static async Task<IResult> StartJob(HttpContext context, BatchJobService jobs, Caller caller, BatchJobProgress progress)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var (matrix, tests) = BatchScorePayloads.Parse(body);
        var streaming = EventStream.IsRequested(context.Request);
        BatchJob job;
        try
        {
            (job, _) = await jobs.CreateAsync(caller.DataTenant, matrix, tests, JobIdFor(context.Request, caller), context.RequestAborted);
        }
        catch (FuncTraceException ex) when (streaming && ex.Code == ErrorCode.ServiceUnavailable)
        {
            var stream = EventStream.Start(context, JsonBody.CamelCase);
            await stream.WriteAsync("error", new { type = "error", error = ex.Message }, context.RequestAborted);
            return Results.Empty;
        }

        context.Response.Headers["X-Job-Id"] = job.Id;
        if (streaming)
        {
            await progress.StreamAsync(context, job, (0, false));
            return Results.Empty;
        }
        var finished = await progress.WaitAsync(job.Id, TimeSpan.FromSeconds(jobs.Options.WaitSeconds), context.RequestAborted);
        if (finished is { Status: BatchJobStatus.Completed })
        {
            var results = await jobs.ResultsAsync(job.Id, context.RequestAborted);
            return Results.Ok(new { results = BatchScorePayloads.Ordered(finished, results) });
        }
        if (finished is { Status: BatchJobStatus.Failed })
        {
            throw new FuncTraceException(ErrorCode.ServiceUnavailable, finished.Error ?? "The job could not run.");
        }
        return Results.Json(BatchScorePayloads.Accepted(job.Id), statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>With an Idempotency-Key, the job's id follows from it (and the tenant), so a retried POST finds its job.</summary>
    private static string? JobIdFor(HttpRequest request, Caller caller) =>
        IdempotencyKey.IdFor(request, "batch-job|" + caller.DataTenant) is { } id ? "job-" + id.ToLowerInvariant() : null;

    public static async Task<IResult> GetJob(string jobId, BatchJobService jobs, Caller caller, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(caller.DataTenant, jobId, cancellationToken);
        var results = await jobs.ResultsAsync(jobId, cancellationToken);
        return Results.Ok(BatchScorePayloads.Status(job, results));
    }

    public static async Task<IResult> StreamJob(string jobId, HttpContext context, BatchJobService jobs, Caller caller, BatchJobProgress progress)
    {
        var job = await jobs.GetAsync(caller.DataTenant, jobId, context.RequestAborted);
        var lastEventId = EventStream.LastEventId(context.Request);
        if (BatchJobProgress.IsFinalEventId(lastEventId))
        {
            // The client saw the end; 204 tells EventSource to stop reconnecting.
            return Results.NoContent();
        }
        var position = BatchJobProgress.SequenceOf(lastEventId);
        if (position.After > job.Total)
        {
            throw FuncTraceException.Validation($"'Last-Event-ID' names event {position.After}, but this job has {job.Total} tests.", "Last-Event-ID");
        }
        await progress.StreamAsync(context, job, position);
        return Results.Empty;
    }

    public static async Task<IResult> CancelJob(string jobId, BatchJobService jobs, Caller caller, CancellationToken cancellationToken)
    {
        var job = await jobs.CancelAsync(caller.DataTenant, jobId, cancellationToken);
        var results = await jobs.ResultsAsync(jobId, cancellationToken);
        return Results.Ok(BatchScorePayloads.Status(job, results));
    }
}
