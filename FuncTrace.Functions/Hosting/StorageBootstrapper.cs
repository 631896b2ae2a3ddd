using FuncTrace.Domain.Storage;
using FuncTrace.Functions.Workers;

namespace FuncTrace.Functions.Hosting;

/// <summary>
/// Creates the app's tables, queues and containers at start. Storage being down must not stop the app
/// (health then reports degraded), so a failure is logged and retried in the background.
/// </summary>
public sealed class StorageBootstrapper(StorageCatalog storage, QueueHandlers queueHandlers, ILogger<StorageBootstrapper> logger) : BackgroundService
{
    private static readonly TimeSpan StartupAttempt = TimeSpan.FromSeconds(20);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(StartupAttempt);
        if (await TryCreateAsync(attempt.Token))
        {
            return;
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(2);
        while (!stoppingToken.IsCancellationRequested && !await TryCreateAsync(stoppingToken))
        {
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60));
        }
    }

    private async Task<bool> TryCreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await storage.CreateAllAsync(queueHandlers.StorageQueues, cancellationToken);
            logger.LogInformation("Storage ready with prefix {Prefix}", storage.Prefix);
            return true;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not create the storage tables, queues and containers; will retry");
            return false;
        }
    }
}
