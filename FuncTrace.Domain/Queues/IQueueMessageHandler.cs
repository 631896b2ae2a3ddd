namespace FuncTrace.Domain.Queues;

/// <summary>
/// The work behind one queue-triggered function. The same handler runs under the Functions host (which
/// POSTs each message to <c>/{FunctionName}</c>) and in the standalone listener, with the same retry rules.
/// </summary>
/// <remarks>
/// Delivery is at least once: a message can be handled again after a crash, a lost lease or a retry, and
/// a slow first attempt can overlap a second one. Handlers must be idempotent (write the same keys with the
/// same content) so a repeat changes nothing. A handler that throws is retried after the host's
/// <c>visibilityTimeout</c>, up to <c>maxDequeueCount</c> attempts in all.
/// </remarks>
public interface IQueueMessageHandler
{
    /// <summary>The queue to take messages from, before the deployment's storage prefix (e.g. <c>score</c>).</summary>
    string QueueName { get; }

    /// <summary>The Azure Functions function name (e.g. <c>ScoreWorker</c>): the host POSTs messages to <c>/{FunctionName}</c>.</summary>
    string FunctionName { get; }

    /// <summary>Does the work; throwing means "try again later". <paramref name="cancellationToken"/> fires on shutdown.</summary>
    Task HandleAsync(QueueWorkItem item, CancellationToken cancellationToken);

    /// <summary>
    /// Called when the message is given up on (its last allowed attempt failed), just before it moves to the
    /// <c>-poison</c> queue, so the feature can record the failure instead of waiting forever. Called once in
    /// the normal course, but like <see cref="HandleAsync"/> it may be repeated after a crash: make it idempotent.
    /// </summary>
    Task HandlePoisonAsync(QueueWorkItem item, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// False for a handler only the Functions host should run: one that drains a poison queue, which the standalone
    /// listener never needs because it tells the handler of the last failure itself before moving a message there.
    /// </summary>
    bool RunsStandalone => true;
}
