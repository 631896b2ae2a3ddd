namespace FuncTrace.Functions.Workers;

/// <summary>
/// <c>host.json</c>'s <c>extensions.queues</c>, read where the Functions host reads them: the configuration root
/// <c>AzureFunctionsJobHost</c>, so an app setting such as <c>AzureFunctionsJobHost__extensions__queues__batchSize</c>
/// overrides the file under both runtimes. Defaults are the Functions host's own, so a missing value means the same
/// thing to both; our <c>host.json</c> sets the values we want.
/// </summary>
public sealed class QueueHostSettings
{
    public const string Section = "AzureFunctionsJobHost:extensions:queues";

    /// <summary>Messages received per poll, 1-32.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>Another batch is fetched once no more than this many are still running; unset means half of <see cref="BatchSize"/>.</summary>
    public int? NewBatchThreshold { get; set; }

    /// <summary>Attempts before a message is given up on and moved to <c>&lt;queue&gt;-poison</c>.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays hidden before its next attempt (the retry backoff); zero retries at once.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>The longest wait between polls of an empty queue.</summary>
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}
