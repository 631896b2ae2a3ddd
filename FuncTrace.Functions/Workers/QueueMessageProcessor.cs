using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Queues;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Workers;

/// <summary>
/// Takes one received message through the standalone listener, as the Functions host would: keep it hidden while
/// the handler runs, then delete it (done), hide it for <c>visibilityTimeout</c> (retry) or move it to
/// <c>&lt;queue&gt;-poison</c> (given up). A message already dequeued more than <c>maxDequeueCount</c> times (its
/// earlier attempts never finished, e.g. the process died) is given up without running the handler again.
/// </summary>
public sealed class QueueMessageProcessor(
    StorageCatalog storage,
    QueueAttemptRunner runner,
    IOptions<QueueHostSettings> settings,
    IOptions<WorkerOptions> worker,
    TimeProvider time,
    ILogger<QueueMessageProcessor> logger)
{
    /// <summary>Never throws: a message that cannot be settled comes back when its lease runs out.</summary>
    public async Task ProcessAsync(IQueueMessageHandler handler, QueueMessage message, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(message);
        var queue = storage.Queue(handler.QueueName);
        var item = new QueueWorkItem(message.MessageId, message.Text, message.DequeueCount, message.InsertedOn);
        try
        {
            var lease = new MessageLease(queue, message, worker.Value.Lease, time, logger, stoppingToken);
            QueueAttempt attempt;
            string? popReceipt;
            try
            {
                attempt = await AttemptAsync(handler, item, stoppingToken);
            }
            finally
            {
                popReceipt = await lease.StopAsync();
            }
            await SettleAsync(handler, queue, item, attempt, popReceipt);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Shutting down during message {MessageId} in {Queue}; it will be delivered again", message.MessageId, queue.Name);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not settle message {MessageId} in {Queue}; it will be delivered again", message.MessageId, queue.Name);
        }
    }

    private async Task<QueueAttempt> AttemptAsync(IQueueMessageHandler handler, QueueWorkItem item, CancellationToken stoppingToken)
    {
        var maxDequeueCount = settings.Value.MaxDequeueCount;
        if (item.DequeueCount <= maxDequeueCount)
        {
            return await runner.RunAsync(handler, item, stoppingToken);
        }
        var reason = $"Dequeued {item.DequeueCount} times (the limit is {maxDequeueCount}) without an attempt finishing.";
        logger.LogError("{Function} gives up message {MessageId}: {Reason}", handler.FunctionName, item.MessageId, reason);
        await runner.GiveUpAsync(handler, item, reason, stoppingToken);
        return QueueAttempt.GiveUp(new InvalidOperationException(reason));
    }

    // Settling is quick and should not be cut short by shutdown: an unsettled success would run again.
    private async Task SettleAsync(IQueueMessageHandler handler, QueueClient queue, QueueWorkItem item, QueueAttempt attempt, string? popReceipt)
    {
        if (popReceipt is null)
        {
            return;
        }
        if (attempt.Succeeded)
        {
            await queue.DeleteMessageAsync(item.MessageId, popReceipt, CancellationToken.None);
        }
        else if (attempt.GivenUp)
        {
            await storage.Queue(StorageNames.PoisonQueue(handler.QueueName)).SendMessageAsync(item.Text, cancellationToken: CancellationToken.None);
            await queue.DeleteMessageAsync(item.MessageId, popReceipt, CancellationToken.None);
        }
        else
        {
            await queue.UpdateVisibilityAsync(item.MessageId, popReceipt, settings.Value.VisibilityTimeout, CancellationToken.None);
        }
    }
}
