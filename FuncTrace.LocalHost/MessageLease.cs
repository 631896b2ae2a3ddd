using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace FuncTrace.LocalHost;

/// <summary>
/// Keeps a received message hidden while its function runs, renewing at half of <c>lease</c> as the Functions host
/// does; <see cref="StopAsync"/> ends the renewals and hands back the latest pop receipt (null when a renewal lost the message).
/// </summary>
public sealed class MessageLease : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<string?> _renewals;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan lease, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(message);
        _renewals = RenewAsync(queue, message.MessageId, message.PopReceipt, lease, logger, _stop.Token);
    }

    public async Task<string?> StopAsync()
    {
        await _stop.CancelAsync();
        return await _renewals;
    }

    private static async Task<string?> RenewAsync(QueueClient queue, string messageId, string popReceipt, TimeSpan lease, ILogger logger, CancellationToken stop)
    {
        var interval = lease / 2;
        while (true)
        {
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return popReceipt;
            }
            try
            {
                popReceipt = (await queue.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: lease, cancellationToken: CancellationToken.None)).Value.PopReceipt;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                logger.LogWarning("Message {MessageId} of {Queue} was lost while its function ran (its lease ran out)", messageId, queue.Name);
                return null;
            }
            catch (RequestFailedException ex)
            {
                logger.LogWarning(ex, "Could not renew message {MessageId} of {Queue}; will try again", messageId, queue.Name);
            }
        }
    }

    public void Dispose() => _stop.Dispose();
}
