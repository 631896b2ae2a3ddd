using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// The queue side of batch scoring. Retries, <c>maxDequeueCount</c> and the move to <c>-poison</c> are the queue
/// host's (host.json): a function that throws is tried again later.
/// <code>
/// %prefix%-score          ScoreTest            score one test with the judge and record it, once
/// %prefix%-score-poison   RecordPoisonedTest   a test whose attempts ran out is recorded as failed, so its job completes
/// %prefix%-score-check    FinishJobCreation    queue what a creator that stopped half-way did not
/// </code>
/// </summary>
public sealed class ScoreQueueFunctions(BatchJobStore store, BatchJobCreator creator, JudgeService judge, ILogger<ScoreQueueFunctions> logger)
{
    public const string GaveUp = "Gave up after the queue's last attempt";

    [Function("ScoreTest")]
    public async Task Score([QueueTrigger("%FuncTrace:StoragePrefix%-score")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message) is not { } test)
        {
            return;
        }
        switch (await store.GetWorkAsync(test.JobId, test.TestId, cancellationToken))
        {
            case ScoreWork.Judge work:
                await JudgeAndRecordAsync(test, work, cancellationToken);
                break;
            case ScoreWork.CountOnly:
                await store.CountAsync(test.JobId, test.TestId, cancellationToken: cancellationToken);
                break;
        }
    }

    private async Task JudgeAndRecordAsync(ScoreMessage test, ScoreWork.Judge work, CancellationToken cancellationToken)
    {
        JudgeScore score;
        try
        {
            score = await judge.ScoreAsync(work.JudgingMatrix, work.Text, cancellationToken);
        }
        catch (FuncTraceException ex)
        {
            // Thrown again so the queue retries; kept so the poison function can say why it gave up.
            await store.NoteFailedAttemptAsync(test.JobId, test.TestId, ex.Message, cancellationToken);
            throw;
        }
        await store.RecordAsync(test.JobId, test.TestId, score, null, cancellationToken);
    }

    /// <summary>
    /// Reached after the last attempt failed, or when an attempt never returned (an instance stopped mid-call); either
    /// way the job would wait for this test forever. Recording is idempotent: a test already recorded stays as it is.
    /// </summary>
    [Function("RecordPoisonedTest")]
    public async Task RecordPoisoned([QueueTrigger("%FuncTrace:StoragePrefix%-score-poison")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message) is not { } test)
        {
            return;
        }
        var lastError = await store.LastErrorAsync(test.JobId, test.TestId, cancellationToken);
        var reason = lastError is null ? GaveUp + "; no attempt finished." : $"{GaveUp}: {lastError}";
        await store.RecordAsync(test.JobId, test.TestId, null, reason, cancellationToken);
    }

    [Function("FinishJobCreation")]
    public async Task FinishCreation([QueueTrigger("%FuncTrace:StoragePrefix%-score-check")] string message, CancellationToken cancellationToken)
    {
        if (CreationCheckMessage.TryParse(message) is { } check)
        {
            await creator.FinishCreationAsync(check.JobId, cancellationToken);
        }
        else
        {
            logger.LogWarning("Dropping an unreadable creation check: {Message}", Excerpt(message));
        }
    }

    private ScoreMessage? Parse(string message)
    {
        var parsed = ScoreMessage.TryParse(message);
        if (parsed is null)
        {
            // It can never succeed; retrying would only delay the poison queue.
            logger.LogWarning("Dropping an unreadable score message: {Message}", Excerpt(message));
        }
        return parsed;
    }

    private static string Excerpt(string message) => message.Length <= 200 ? message : message[..200] + "...";
}
