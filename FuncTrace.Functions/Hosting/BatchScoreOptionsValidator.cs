using FuncTrace.Domain.BatchScoring;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Hosting;

/// <summary>Stops the start on a batch-scoring setting that cannot work, naming it, instead of failing requests later.</summary>
public sealed class BatchScoreOptionsValidator : IValidateOptions<BatchScoreOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchScoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.MaxTests < 1)
        {
            problems.Add("FuncTrace__BatchScore__MaxTests must be positive.");
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
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
