using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Domain.BatchScoring;

/// <summary>
/// Under the Functions host, records a test as failed when its message reaches the poison queue. The host moves a
/// message there after its last attempt failed — even when that attempt never returned (an instance recycled
/// mid-call), so <see cref="ScoreWorker.HandlePoisonAsync"/> was never told — and the job would wait on it forever.
/// Recording is idempotent: a test already recorded stays as it is.
/// </summary>
public sealed class ScorePoisonWorker(BatchJobService jobs, ILogger<ScorePoisonWorker> logger) : IQueueMessageHandler
{
    public const string Reason = "Gave up after the queue's last attempt; the message reached the poison queue.";

    public string QueueName => StorageNames.PoisonQueue(BatchJobService.QueueName);

    public string FunctionName => "ScorePoisonWorker";

    public bool RunsStandalone => false;

    public async Task HandleAsync(QueueWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (ScoreMessage.TryParse(item.Text) is { } message)
        {
            await jobs.RecordAsync(message.JobId, message.TestId, null, Reason, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            logger.LogWarning("Dropping unreadable poisoned score message {MessageId}", item.MessageId);
        }
    }

    public Task HandlePoisonAsync(QueueWorkItem item, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        logger.LogError("Could not record poisoned score message {MessageId} as failed: {Reason}", item.MessageId, reason);
        return Task.CompletedTask;
    }
}
