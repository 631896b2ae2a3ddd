using FuncTrace.Domain.Queues;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Workers;

/// <summary>
/// Runs one attempt at a message with the rules both runtimes share: a failure on the last allowed attempt
/// (<c>maxDequeueCount</c>) gives the message up and tells the handler first. Moving the message is the caller's
/// job: the Functions host moves it itself, the standalone listener does it after this.
/// </summary>
public sealed class QueueAttemptRunner(IOptions<QueueHostSettings> settings, ILogger<QueueAttemptRunner> logger)
{
    /// <summary>Shutdown (<paramref name="cancellationToken"/> firing) is not a failure: it propagates, and the message simply comes back later.</summary>
    public async Task<QueueAttempt> RunAsync(IQueueMessageHandler handler, QueueWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(item);
        var maxDequeueCount = settings.Value.MaxDequeueCount;
        try
        {
            await handler.HandleAsync(item, cancellationToken);
            return QueueAttempt.Success;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (item.DequeueCount < maxDequeueCount)
            {
                logger.LogWarning(ex, "{Function} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount}); it will be retried",
                    handler.FunctionName, item.MessageId, item.DequeueCount, maxDequeueCount);
                return QueueAttempt.Retry(ex);
            }
            logger.LogError(ex, "{Function} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount}); giving it up",
                handler.FunctionName, item.MessageId, item.DequeueCount, maxDequeueCount);
            await GiveUpAsync(handler, item, $"Failed {item.DequeueCount} times; last error: {ex.GetType().Name}: {ex.Message}", cancellationToken);
            return QueueAttempt.GiveUp(ex);
        }
    }

    /// <summary>
    /// Tells the handler the message is given up on. Its failure is logged, not thrown: the message moves to the
    /// poison queue either way, as it does under the Functions host.
    /// </summary>
    public async Task GiveUpAsync(IQueueMessageHandler handler, QueueWorkItem item, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            await handler.HandlePoisonAsync(item, reason, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "{Function} could not record giving up message {MessageId}", handler.FunctionName, item.MessageId);
        }
    }
}
