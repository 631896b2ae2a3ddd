using FuncTrace.Domain.Keys;
using FuncTrace.Domain.Status;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>Operator counts for the caller's tenant: <c>/api/status</c> and <c>/api/observability/metrics</c>.</summary>
public static class StatusFunctions
{
    public static IEndpointRouteBuilder MapStatusFunctions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/status", GetStatus).RequireAuthorization(AuthSetup.Read).WithTags("Status").WithSummary("Counts and queue depth");
        routes.MapGet("/api/observability/metrics", GetMetrics).RequireAuthorization(AuthSetup.Read).WithTags("Status").WithSummary("The same counts, grouped for dashboards");
        return routes;
    }

    public static async Task<IResult> GetStatus(StatusService status, TimeProvider time, Caller caller, CancellationToken cancellationToken)
    {
        var snapshot = await status.ReadAsync(caller.DataTenant, cancellationToken);
        return Results.Json(new
        {
            status = "ok",
            timestamp = time.GetUtcNow(),
            tenant = caller.DataTenant,
            events_ingested = snapshot.Counts.EventsIngested,
            feedback_given = snapshot.Counts.FeedbackGiven,
            pending_reviews = snapshot.Counts.PendingReviews,
            jobs_created = snapshot.Counts.JobsCreated,
            queue_depth = snapshot.QueueDepths.Values.Sum(),
        });
    }

    public static async Task<IResult> GetMetrics(StatusService status, TimeProvider time, Caller caller, CancellationToken cancellationToken)
    {
        var snapshot = await status.ReadAsync(caller.DataTenant, cancellationToken);
        return Results.Json(new
        {
            timestamp = time.GetUtcNow(),
            tenant = caller.DataTenant,
            counters = new
            {
                events_ingested = snapshot.Counts.EventsIngested,
                feedback_given = snapshot.Counts.FeedbackGiven,
                pending_reviews = snapshot.Counts.PendingReviews,
                jobs_created = snapshot.Counts.JobsCreated,
            },
            queues = snapshot.QueueDepths.Select(q => new { name = q.Key, approximate_messages = q.Value }),
        });
    }
}
