using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>The <c>FuncTrace:BatchScore</c> settings.</summary>
public sealed class BatchScoreOptions
{
    public const string Section = "FuncTrace:BatchScore";

    /// <summary>Most tests in one job; at most 1000, since the job row keeps the test order in one table string.</summary>
    public int MaxTests { get; set; } = 1000;

    /// <summary>Longest text of one test, and of the judging matrix, in characters (a table string holds 32K).</summary>
    public int MaxTextLength { get; set; } = 30_000;

    /// <summary>How long a plain JSON <c>POST /api/batchScore</c> waits for the job before answering 202.</summary>
    public int WaitSeconds { get; set; } = 100;

    /// <summary>How often waiting requests and event streams read the job's progress from storage.</summary>
    public int PollIntervalMilliseconds { get; set; } = 100;

    /// <summary>How often an idle event stream sends a heartbeat comment.</summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>How many queue messages are sent at once while a job's tests are queued.</summary>
    public int EnqueueConcurrency { get; set; } = 16;

    /// <summary>
    /// When the creation check of a job runs: a job whose creator died before all its tests were queued has them
    /// queued then, by whichever instance takes the check message.
    /// </summary>
    public int RecoverAfterSeconds { get; set; } = 30;

    /// <summary>A job still running this long after it was created ends failed when next read, its unscored tests unscored.</summary>
    public int JobTimeoutSeconds { get; set; } = 3600;

    public TimeSpan RecoverAfter => TimeSpan.FromSeconds(RecoverAfterSeconds);

    public TimeSpan JobTimeout => TimeSpan.FromSeconds(JobTimeoutSeconds);
}

/// <summary>Stops the start on a batch-scoring setting that cannot work, naming it, instead of failing requests later.</summary>
public sealed class BatchScoreOptionsValidator : IValidateOptions<BatchScoreOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchScoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.MaxTests is < 1 or > 1000)
        {
            problems.Add("FuncTrace__BatchScore__MaxTests must be 1 to 1000 (the job row keeps the test order in one table string).");
        }
        if (options.MaxTextLength is < 1 or > 30_000)
        {
            problems.Add("FuncTrace__BatchScore__MaxTextLength must be 1 to 30000 (a table string holds 32K characters).");
        }
        if (options.WaitSeconds < 0)
        {
            problems.Add("FuncTrace__BatchScore__WaitSeconds must not be negative.");
        }
        if (options.PollIntervalMilliseconds < 10)
        {
            problems.Add("FuncTrace__BatchScore__PollIntervalMilliseconds must be at least 10.");
        }
        if (options.HeartbeatSeconds < 1)
        {
            problems.Add("FuncTrace__BatchScore__HeartbeatSeconds must be positive.");
        }
        if (options.EnqueueConcurrency < 1)
        {
            problems.Add("FuncTrace__BatchScore__EnqueueConcurrency must be positive.");
        }
        // A queue message can be hidden for at most 7 days; the creator needs half of it to make the job visible.
        if (options.RecoverAfterSeconds is < 2 or > 7 * 24 * 3600)
        {
            problems.Add("FuncTrace__BatchScore__RecoverAfterSeconds must be 2 to 604800.");
        }
        if (options.JobTimeoutSeconds <= options.RecoverAfterSeconds)
        {
            problems.Add("FuncTrace__BatchScore__JobTimeoutSeconds must be longer than FuncTrace__BatchScore__RecoverAfterSeconds, or a job could end before it is recovered.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
