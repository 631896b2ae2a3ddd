using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Queues;
using FuncTrace.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Workers;

/// <summary>
/// The standalone stand-in for the Functions host's queue triggers: polls each handler's queue with the
/// <c>host.json</c> settings. Up to <c>batchSize</c> messages are received at a time and the next batch is fetched
/// once no more than <c>newBatchThreshold</c> are still running. An empty queue is polled again after a delay that
/// doubles up to <c>maxPollingInterval</c>; a non-empty one at once. Several instances may poll one account: each
/// received message is hidden from the others, so the queue is the coordinator.
/// </summary>
public sealed class QueueListener(
    QueueHandlers handlers,
    StorageCatalog storage,
    QueueMessageProcessor processor,
    IOptions<QueueHostSettings> settings,
    IOptions<WorkerOptions> worker,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<QueueListener> logger) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (HostUrls.IsCustomHandler(configuration))
        {
            logger.LogInformation("Running under the Functions host: it triggers the queue functions");
            return Task.CompletedTask;
        }
        if (!worker.Value.Enabled)
        {
            logger.LogInformation("The queue listener is off ({Setting} is false)", WorkerOptions.Section + ":Enabled");
            return Task.CompletedTask;
        }
        return Task.WhenAll(handlers.All.Where(handler => handler.RunsStandalone).Select(handler => ListenAsync(handler, stoppingToken)));
    }

    private async Task ListenAsync(IQueueMessageHandler handler, CancellationToken stoppingToken)
    {
        var queue = storage.Queue(handler.QueueName);
        var batchSize = settings.Value.BatchSize;
        var newBatchThreshold = settings.Value.EffectiveNewBatchThreshold;
        var maxPollingInterval = settings.Value.MaxPollingInterval;
        var idleDelay = MinPollingInterval;
        var inFlight = new List<Task>();
        logger.LogInformation("Listening to queue {Queue} for {Function}", queue.Name, handler.FunctionName);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                inFlight.RemoveAll(task => task.IsCompleted);
                if (inFlight.Count > newBatchThreshold)
                {
                    await Task.WhenAny(inFlight);
                    continue;
                }

                var messages = await ReceiveAsync(queue, batchSize, stoppingToken);
                if (messages.Count == 0)
                {
                    await Task.Delay(idleDelay, time, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, maxPollingInterval.Ticks));
                    continue;
                }
                idleDelay = MinPollingInterval;
                inFlight.AddRange(messages.Select(message => processor.ProcessAsync(handler, message, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running handlers have the same token.
        }
        await Task.WhenAll(inFlight);
        logger.LogInformation("Stopped listening to queue {Queue}", queue.Name);
    }

    /// <summary>A failed poll (storage down, queue not created yet) is logged and counts as an empty queue.</summary>
    private async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(QueueClient queue, int batchSize, CancellationToken stoppingToken)
    {
        try
        {
            return await queue.ReceiveMessagesAsync(batchSize, worker.Value.Lease, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not poll queue {Queue}; will try again", queue.Name);
            return [];
        }
    }
}
