using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Status;

/// <summary>
/// Operator counts for the caller's tenant.
/// <code>
/// GET api/status                  GetStatus    events, feedback, pending reviews, jobs created, scoring queue depth
/// GET api/observability/metrics   GetMetrics   the same counts, and every queue's approximate message count
/// </code>
/// </summary>
public sealed class StatusFunctions(StatusService status, TimeProvider time)
{
    private const string StatusRoute = "api/status";
    private const string MetricsRoute = "api/observability/metrics";
    private static readonly string[] ScoringQueues = [StorageNames.ScoreQueue, StorageNames.Poison(StorageNames.ScoreQueue)];

    [Function("GetStatus")]
    [Access(Access.AnyRole)]
    public async Task<Ok<StatusResponse>> GetStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = StatusRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = request.Caller().DataTenant;
        var counts = status.CountsAsync(tenant, request.HttpContext.RequestAborted);
        var queues = status.QueueDepthsAsync(request.HttpContext.RequestAborted);
        await Task.WhenAll(counts, queues);
        var c = await counts;
        var scoring = (await queues).Where(q => ScoringQueues.Contains(q.Name)).Sum(q => q.ApproximateMessages);
        return TypedResults.Ok(new StatusResponse("ok", time.GetUtcNow(), tenant, c.EventsIngested, c.FeedbackGiven, c.PendingReviews, c.JobsCreated, scoring));
    }

    [Function("GetMetrics")]
    [Access(Access.AnyRole)]
    public async Task<Ok<MetricsResponse>> GetMetrics(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = MetricsRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = request.Caller().DataTenant;
        var counts = status.CountsAsync(tenant, request.HttpContext.RequestAborted);
        var queues = status.QueueDepthsAsync(request.HttpContext.RequestAborted);
        await Task.WhenAll(counts, queues);
        var c = await counts;
        return TypedResults.Ok(new MetricsResponse(
            time.GetUtcNow(),
            tenant,
            new CountersResponse(c.EventsIngested, c.FeedbackGiven, c.PendingReviews, c.JobsCreated),
            (await queues).Select(q => new QueueResponse(q.Name, q.ApproximateMessages)).ToList()));
    }
}
