namespace FuncTrace.Domain.BatchScoring;

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

/// <summary>One test's outcome: a score 1–10 with the judge's reasoning, or the reason it failed.</summary>
public sealed record TestResult(long TestId, int? Score, string? Reasoning, string? Error, long Sequence);

/// <summary>A job as stored: its counts move as the worker records results.</summary>
public sealed record BatchJob(
    string Id,
    string Tenant,
    string Status,
    int Total,
    int Scored,
    int Failed,
    IReadOnlyList<long> TestOrder,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    public int Done => Scored + Failed;
}

/// <summary>What the queue carries: one test of one job.</summary>
public sealed record ScoreMessage(string JobId, long TestId)
{
    /// <summary>The message, or null when <paramref name="text"/> is not one (it can never succeed, so it is dropped).</summary>
    public static ScoreMessage? TryParse(string text)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ScoreMessage>(text) is { JobId: not null, TestId: > 0 } message ? message : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
