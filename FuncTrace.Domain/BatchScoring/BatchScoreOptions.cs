namespace FuncTrace.Domain.BatchScoring;

/// <summary>The <c>FuncTrace:BatchScore</c> settings.</summary>
public sealed class BatchScoreOptions
{
    public const string Section = "FuncTrace:BatchScore";

    /// <summary>Most tests in one job.</summary>
    public int MaxTests { get; set; } = 1000;

    /// <summary>Longest text of one test, and of the judging matrix, in characters (a table string holds 32K).</summary>
    public int MaxTextLength { get; set; } = 30_000;

    /// <summary>How long a plain JSON <c>POST /api/batchScore</c> waits for the job before answering 202.</summary>
    public int WaitSeconds { get; set; } = 100;

    /// <summary>How often waiting requests and event streams read the job's progress from storage.</summary>
    public int PollIntervalMilliseconds { get; set; } = 100;

    /// <summary>How often an idle event stream sends a heartbeat comment.</summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>How many queue messages are sent at once while a job is created.</summary>
    public int EnqueueConcurrency { get; set; } = 16;
}
