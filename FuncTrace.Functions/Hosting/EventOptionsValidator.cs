using FuncTrace.Domain.Events;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Hosting;

/// <summary>Stops the start on an events setting that cannot work, naming it, instead of failing requests later.</summary>
public sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    public ValidateOptionsResult Validate(string? name, EventOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.DataBlobThresholdBytes is < 1 or > 48 * 1024)
        {
            problems.Add("FuncTrace__Events__DataBlobThresholdBytes must be 1 to 49152 (a table string holds 64 KiB).");
        }
        if (options.MaxBatchSize is < 1 or > 5000)
        {
            problems.Add("FuncTrace__Events__MaxBatchSize must be 1 to 5000.");
        }
        if (options.ReviewLeaseSeconds < 1)
        {
            problems.Add("FuncTrace__Events__ReviewLeaseSeconds must be positive.");
        }
        if (options.MaxArtifactBytes < 1)
        {
            problems.Add("FuncTrace__Events__MaxArtifactBytes must be positive.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
