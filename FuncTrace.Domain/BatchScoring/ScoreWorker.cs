using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Domain.Queues;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Domain.BatchScoring;

/// <summary>
/// The queue-triggered worker: scores one test with the judge and records it. Judge failures throw, so the
/// queue retries with backoff; the last failure is recorded against the test by <see cref="HandlePoisonAsync"/>.
/// </summary>
public sealed class ScoreWorker(BatchJobService jobs, JudgeService judge, ILogger<ScoreWorker> logger) : IQueueMessageHandler
{
    public string QueueName => BatchJobService.QueueName;

    public string FunctionName => "ScoreWorker";

    public async Task HandleAsync(QueueWorkItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (Parse(item) is not { } message)
        {
            return;
        }
        var job = await jobs.FindAsync(message.JobId, cancellationToken).ConfigureAwait(false);
        if (job is null || job.Status != BatchJobStatus.Running)
        {
            return;
        }
        if (await jobs.GetWorkAsync(message.JobId, message.TestId, cancellationToken).ConfigureAwait(false) is not var (matrix, text))
        {
            logger.LogWarning("Job {JobId} has no test {TestId}; dropping the message", message.JobId, message.TestId);
            return;
        }

        JudgeScore score;
        try
        {
            score = await judge.ScoreAsync(matrix, text, cancellationToken).ConfigureAwait(false);
        }
        catch (FuncTraceException ex) when (ex.Code == ErrorCode.ServiceUnavailable)
        {
            // No test of this job can be scored (the LLM is not configured): end the job instead of retrying.
            await jobs.FailAsync(message.JobId, ex.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        await jobs.RecordAsync(message.JobId, message.TestId, score, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task HandlePoisonAsync(QueueWorkItem item, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (Parse(item) is { } message)
        {
            await jobs.RecordAsync(message.JobId, message.TestId, null, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    private ScoreMessage? Parse(QueueWorkItem item)
    {
        var message = ScoreMessage.TryParse(item.Text);
        if (message is null)
        {
            logger.LogWarning("Dropping unreadable score message {MessageId}", item.MessageId);
        }
        return message;
    }
}
