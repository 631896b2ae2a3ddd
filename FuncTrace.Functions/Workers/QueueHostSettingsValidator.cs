using FuncTrace.Domain.Storage.Queues;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Workers;

/// <summary>Fails the start with the offending setting named, instead of a queue service error on the first poll.</summary>
public sealed class QueueHostSettingsValidator : IValidateOptions<QueueHostSettings>
{
    public ValidateOptionsResult Validate(string? name, QueueHostSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.BatchSize is < 1 or > QueueClient.MaxMessagesPerReceive)
        {
            problems.Add($"batchSize must be 1-{QueueClient.MaxMessagesPerReceive}, not {options.BatchSize}.");
        }
        if (options.EffectiveNewBatchThreshold < 0)
        {
            problems.Add($"newBatchThreshold must not be negative, not {options.NewBatchThreshold}.");
        }
        if (options.MaxDequeueCount < 1)
        {
            problems.Add($"maxDequeueCount must be at least 1, not {options.MaxDequeueCount}.");
        }
        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            problems.Add($"visibilityTimeout must be between 0 and 7 days, not {options.VisibilityTimeout}.");
        }
        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add($"maxPollingInterval must be at least 00:00:00.1, not {options.MaxPollingInterval}.");
        }
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"{QueueHostSettings.Section}: {p}"));
    }
}
