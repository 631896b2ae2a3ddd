using System.Text;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// LLM-as-judge batch scoring, camelCase. Ingest keys start and cancel jobs; any key of the tenant reads them (the
/// reviewer page lists past jobs). The POST creates a job that fans out through the score queue
/// (<see cref="ScoreQueueFunctions"/>), then waits for it (JSON) or streams its progress (SSE), reading from storage.
/// <code>
/// POST   api/batchScore                  StartBatchScore    score tests: 200 results, 202 after the wait, or SSE
/// GET    api/batchScore                  ListBatchScores    the tenant's jobs, newest first (limit, cursor)
/// GET    api/batchScore/{jobId}          GetBatchScore      status, counts, results with reasoning, failures
/// GET    api/batchScore/{jobId}/events   StreamBatchScore   progress as SSE, resumable with Last-Event-ID
/// DELETE api/batchScore/{jobId}          CancelBatchScore   cancel what is not scored yet
/// </code>
/// </summary>
public sealed class BatchScoreFunctions(BatchJobCreator creator, BatchJobStore store, BatchJobProgress progress, IOptions<BatchScoreOptions> options)
{
    private const string Jobs = "api/batchScore";
    private const string Job = "api/batchScore/{jobId}";
    private const string JobEvents = "api/batchScore/{jobId}/events";
    private const int DefaultPageSize = 20;
    private const int MaxPageSize = 100;

    [Function("StartBatchScore")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(BatchScoreBody), Example = """{"judgingMatrix": "Score 1-10 for accuracy.", "tests": [{"id": 1, "text": "Paris is the capital of France."}]}""")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    public async Task<Results<Ok<BatchResultsResponse>, Accepted<BatchAcceptedResponse>, EmptyHttpResult>> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Jobs)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.HttpContext;
        var (matrix, tests) = BatchScoreRequest.Parse(await JsonBody.ReadObjectAsync(request));
        var tenant = request.Caller().DataTenant;
        var jobId = IdempotencyKey.IdFor(request, "batch-job|" + tenant) is { } key ? "job-" + key.ToLowerInvariant() : null;
        var streaming = EventStream.IsRequested(request);
        BatchJob job;
        try
        {
            (job, _) = await creator.CreateAsync(tenant, matrix, tests, jobId, context.RequestAborted);
        }
        catch (FuncTraceException ex) when (streaming && ex.Code == ErrorCode.ServiceUnavailable)
        {
            // A stream's clients read failures from the stream.
            var stream = EventStream.Start(context, JsonBody.CamelCase);
            await stream.WriteAsync(BatchJobProgress.ErrorId, new ErrorEvent(ex.Message), context.RequestAborted);
            return TypedResults.Empty;
        }

        context.Response.Headers["X-Job-Id"] = job.Id;
        if (streaming)
        {
            await progress.StreamAsync(context, job, (0, false));
            return TypedResults.Empty;
        }
        var finished = await progress.WaitAsync(job.Id, TimeSpan.FromSeconds(options.Value.WaitSeconds), context.RequestAborted);
        return finished switch
        {
            { Status: BatchJobStatus.Completed } => TypedResults.Ok(new BatchResultsResponse(BatchResult.Ordered(finished, await store.ResultsAsync(job.Id, context.RequestAborted)))),
            { Status: BatchJobStatus.Failed } => throw new FuncTraceException(ErrorCode.ServiceUnavailable, finished.Error ?? "The job could not run."),
            _ => TypedResults.Accepted(BatchJobUrls.Status(job.Id), BatchAcceptedResponse.For(job.Id)),
        };
    }

    [Function("ListBatchScores")]
    [Access(Access.AnyRole)]
    public async Task<Ok<BatchJobListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Jobs)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = QueryParameters.Limit(request, DefaultPageSize, MaxPageSize);
        var after = QueryParameters.Optional(request, "cursor") is { } cursor ? RowKeyOf(cursor) : null;
        var (jobs, lastKey) = await store.ListAsync(request.Caller().DataTenant, limit, after, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new BatchJobListResponse(
            jobs.Select(BatchJobSummary.From).ToList(),
            lastKey is null ? null : Base64Url.Encode(Encoding.UTF8.GetBytes(lastKey))));
    }

    [Function("GetBatchScore")]
    [Access(Access.AnyRole)]
    public async Task<Ok<BatchJobStatusResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Job)] HttpRequest request, string jobId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        var job = await store.GetAsync(request.Caller().DataTenant, jobId, cancellationToken);
        return TypedResults.Ok(BatchJobStatusResponse.From(job, await store.ResultsAsync(jobId, cancellationToken)));
    }

    [Function("StreamBatchScore")]
    [Access(Access.AnyRole)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    public async Task<Results<NoContent, EmptyHttpResult>> Stream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = JobEvents)] HttpRequest request, string jobId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = await store.GetAsync(request.Caller().DataTenant, jobId, request.HttpContext.RequestAborted);
        var lastEventId = EventStream.LastEventId(request);
        if (BatchJobProgress.IsFinalEventId(lastEventId))
        {
            // The client saw the end; 204 tells EventSource to stop reconnecting.
            return TypedResults.NoContent();
        }
        var position = BatchJobProgress.PositionOf(lastEventId);
        if (position.After > job.Total)
        {
            throw FuncTraceException.Validation($"'Last-Event-ID' names event {position.After}, but this job has {job.Total} tests.", "Last-Event-ID");
        }
        await progress.StreamAsync(request.HttpContext, job, position);
        return TypedResults.Empty;
    }

    [Function("CancelBatchScore")]
    [Access(Access.Ingest)]
    public async Task<Ok<BatchJobStatusResponse>> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Job)] HttpRequest request, string jobId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        var job = await store.CancelAsync(request.Caller().DataTenant, jobId, cancellationToken);
        return TypedResults.Ok(BatchJobStatusResponse.From(job, await store.ResultsAsync(jobId, cancellationToken)));
    }

    /// <summary>A cursor is a listing row key we handed out; anything else is the client's mistake.</summary>
    private static string RowKeyOf(string cursor) =>
        Base64Url.TryDecode(cursor) is { } bytes && Encoding.UTF8.GetString(bytes) is var key && BatchJobRows.IsListingKey(key)
            ? key
            : throw FuncTraceException.Validation("'cursor' is not a cursor this list gave out.", "cursor");
}
