namespace FuncTrace.Functions.BatchScoring;

public static class BatchJobStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";

    public static bool IsFinished(string status) => status is Completed or Cancelled or Failed;
}

/// <summary>A test to score: a positive integer id unique in its job, and its text.</summary>
public sealed record BatchTest(long Id, string Text);

/// <summary>One counted outcome: a score 1–10 with the judge's reasoning, or why the test failed; the n-th to finish.</summary>
public sealed record TestOutcome(long TestId, int? Score, string? Reasoning, string? Error, long Sequence);

/// <summary>
/// A job as stored. Its counters move as results are recorded; <see cref="Queued"/> says every test's message was
/// sent; past <see cref="Deadline"/> a running job is ended by whoever reads it.
/// </summary>
public sealed record BatchJob(
    string Id,
    string Tenant,
    string Status,
    int Total,
    int Scored,
    int Failed,
    IReadOnlyList<long> TestOrder,
    string RequestHash,
    bool Queued,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset Deadline,
    DateTimeOffset? FinishedAt)
{
    public int Done => Scored + Failed;
}

/// <summary>What the score function has to do for one test (see <see cref="BatchJobStore.GetWorkAsync"/>).</summary>
public abstract record ScoreWork
{
    public sealed record Judge(string JudgingMatrix, string Text) : ScoreWork;

    public sealed record CountOnly : ScoreWork;
}
