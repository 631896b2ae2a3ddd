namespace FuncTrace.Functions.Status;

/// <summary>
/// <c>GET api/status</c>. <see cref="JobsCreated"/> counts batch-scoring jobs once each (replays add none).
/// <see cref="QueueDepth"/> is the scoring work waiting (the score queue and its poison queue),
/// deployment-wide.
/// </summary>
public sealed record StatusResponse(string Status, DateTimeOffset Timestamp, string Tenant, long EventsIngested, long FeedbackGiven, long PendingReviews, long JobsCreated, long QueueDepth);

public sealed record CountersResponse(long EventsIngested, long FeedbackGiven, long PendingReviews, long JobsCreated);

public sealed record QueueResponse(string Name, long ApproximateMessages);

/// <summary><c>GET api/observability/metrics</c>: the same counts, and every queue of the app.</summary>
public sealed record MetricsResponse(DateTimeOffset Timestamp, string Tenant, CountersResponse Counters, IReadOnlyList<QueueResponse> Queues);
