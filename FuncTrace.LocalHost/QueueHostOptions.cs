using Microsoft.Extensions.Options;

namespace FuncTrace.LocalHost;

/// <summary>
/// <c>host.json</c>'s <c>extensions.queues</c> (app-setting overrides: <c>AzureFunctionsJobHost__extensions__queues__batchSize</c>),
/// with the Functions host's defaults where <c>host.json</c> is silent.
/// </summary>
public sealed class QueueHostOptions
{
    public const string Section = "AzureFunctionsJobHost:extensions:queues";

    public int BatchSize { get; set; } = 16;

    /// <summary>Fetch more once no more than this many are still running; the host's default is half the batch.</summary>
    public int? NewBatchThreshold { get; set; }

    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays hidden before its retry.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>The longest wait between polls of an empty queue.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}

public sealed class QueueHostOptionsValidator : IValidateOptions<QueueHostOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.BatchSize is < 1 or > 32)
        {
            failures.Add("extensions.queues.batchSize must be 1 to 32.");
        }
        if (options.NewBatchThreshold is < 0)
        {
            failures.Add("extensions.queues.newBatchThreshold must not be negative.");
        }
        if (options.MaxDequeueCount < 1)
        {
            failures.Add("extensions.queues.maxDequeueCount must be at least 1.");
        }
        if (options.VisibilityTimeout < TimeSpan.Zero || options.VisibilityTimeout > TimeSpan.FromDays(7))
        {
            failures.Add("extensions.queues.visibilityTimeout must be between 0 and 7 days.");
        }
        if (options.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add("extensions.queues.maxPollingInterval must be at least 100 ms.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The local host's own settings (<c>LocalHost__…</c>), for what the Functions host fixes in code.</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>
    /// How long a received message stays hidden while its function runs, renewed at half-time: ten minutes, as the
    /// Functions host. Shorter only in tests that kill the host mid-message and want the message back soon.
    /// </summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Off: serve HTTP only (for tests that drive the queue functions themselves).</summary>
    public bool QueueTriggers { get; set; } = true;
}
