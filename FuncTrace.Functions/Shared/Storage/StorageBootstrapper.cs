using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace FuncTrace.Functions.Shared.Storage;

/// <summary>
/// Creates the app's tables, queues (with their <c>-poison</c> queues) and containers at start, all at once. Storage
/// being down must not stop the app (health then reports degraded), so a failure is logged and retried in the background.
/// </summary>
public sealed class StorageBootstrapper(
    TableServiceClient tables,
    BlobServiceClient blobs,
    QueueServiceClient queues,
    StorageNames names,
    ILogger<StorageBootstrapper> logger) : BackgroundService
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
            var queueNames = StorageNames.Queues.Select(names.Queue).SelectMany(q => new[] { q, StorageNames.Poison(q) }).Distinct(StringComparer.Ordinal);
            await Task.WhenAll(
                StorageNames.Tables.Select(t => tables.CreateTableIfNotExistsAsync(names.Table(t), cancellationToken))
                    .Concat<Task>(StorageNames.Containers.Select(c => blobs.GetBlobContainerClient(names.Container(c)).CreateIfNotExistsAsync(cancellationToken: cancellationToken)))
                    .Concat(queueNames.Select(q => queues.GetQueueClient(q).CreateIfNotExistsAsync(cancellationToken: cancellationToken))));
            logger.LogInformation("Storage ready with prefix {Prefix}", names.Prefix);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not create the storage tables, queues and containers; will retry");
            return false;
        }
    }
}
