using Azure;
using FuncTrace.Domain.Storage.Queues;

namespace FuncTrace.Functions.Workers;

/// <summary>
/// Keeps a received message hidden from other consumers while its handler runs, renewing every third of the lease,
/// and tracks the pop receipt each renewal replaces. Stop it before settling the message.
/// </summary>
internal sealed class MessageLease
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _renewals;
    private string? _popReceipt;

    /// <param name="stoppingToken">Shutdown: renewals end and the message comes back once the lease runs out.</param>
    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan duration, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        _popReceipt = message.PopReceipt;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _renewals = RenewAsync(queue, message.MessageId, duration, time, logger, stoppingToken);
    }

    /// <summary>Stops renewing; returns the pop receipt to settle the message with, or null when the lease was lost.</summary>
    public async Task<string?> StopAsync()
    {
        await _stop.CancelAsync();
        await _renewals;
        _stop.Dispose();
        return _popReceipt;
    }

    private async Task RenewAsync(QueueClient queue, string messageId, TimeSpan duration, TimeProvider time, ILogger logger, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(duration / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    // Not the stop token: cancelling a renewal the service already applied would leave a stale pop receipt.
                    var renewed = await queue.UpdateVisibilityAsync(messageId, _popReceipt!, duration, stoppingToken);
                    _popReceipt = renewed.PopReceipt;
                }
                catch (RequestFailedException ex) when (ex.Status is 400 or 404)
                {
                    logger.LogWarning(ex, "Lost the lease on message {MessageId} in {Queue}; another attempt may run it", messageId, queue.Name);
                    _popReceipt = null;
                    return;
                }
                catch (RequestFailedException ex)
                {
                    logger.LogWarning(ex, "Could not renew the lease on message {MessageId} in {Queue}; will try again", messageId, queue.Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped, or shutting down: either way the lease needs no more renewals.
        }
    }
}
