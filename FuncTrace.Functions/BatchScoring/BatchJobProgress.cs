using System.Globalization;
using FuncTrace.Functions.Shared;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// Follows a job by reading its progress from storage, so it works whichever instance scores. Stream event ids:
/// <c>{n}.1</c> (progress) and <c>{n}.2</c> (result) for the n-th finished test, then <c>complete</c> or <c>error</c>;
/// <c>Last-Event-ID</c> resumes right after the event it names.
/// </summary>
public sealed class BatchJobProgress(BatchJobStore store, IOptions<BatchScoreOptions> options, TimeProvider time)
{
    public const string CompleteId = "complete";
    public const string ErrorId = "error";

    public static bool IsFinalEventId(string? lastEventId) => lastEventId is CompleteId or ErrorId;

    /// <summary>The position a <c>Last-Event-ID</c> names: after sequence n, or n's result still to send when only its progress was seen.</summary>
    public static (long After, bool ResultPending) PositionOf(string? lastEventId)
    {
        var parts = (lastEventId ?? string.Empty).Split('.');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return (n, parts[1] == "1");
        }
        return (0, false);
    }

    /// <summary>Polls until the job ends or <paramref name="timeout"/> passes; the job as last read, or null on timeout.</summary>
    public async Task<BatchJob?> WaitAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            if (await store.FindAsync(jobId, cancellationToken) is { } job && BatchJobStatus.IsFinished(job.Status))
            {
                return job;
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }
        return null;
    }

    public async Task StreamAsync(HttpContext context, BatchJob job, (long After, bool ResultPending) position)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(job);
        var cancellationToken = context.RequestAborted;
        var stream = EventStream.Start(context, JsonBody.CamelCase);
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        var lastWrite = time.GetUtcNow();
        long? resultOnlyFor = position.ResultPending ? position.After : null;
        var sent = position.ResultPending ? position.After - 1 : position.After;
        try
        {
            // Sent at once, so a client learns the job id (X-Job-Id) and that it is connected before the first test is scored.
            await stream.CommentAsync("connected", cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var outcome in await store.ResultsAfterAsync(job.Id, sent, cancellationToken))
                {
                    if (resultOnlyFor != outcome.Sequence)
                    {
                        await stream.WriteAsync($"{outcome.Sequence}.1", new ProgressEvent(outcome.Sequence, job.Total, outcome.TestId), cancellationToken);
                    }
                    await stream.WriteAsync($"{outcome.Sequence}.2", new ResultEvent(BatchResult.From(outcome)), cancellationToken);
                    sent = outcome.Sequence;
                    resultOnlyFor = null;
                    lastWrite = time.GetUtcNow();
                }

                var current = await store.FindAsync(job.Id, cancellationToken) ?? job;
                if (current.Status == BatchJobStatus.Completed && sent >= current.Done)
                {
                    var ordered = BatchResult.Ordered(current, await store.ResultsAsync(job.Id, cancellationToken));
                    await stream.WriteAsync(CompleteId, new CompleteEvent(ordered, ordered.Where(r => r.Error is not null).ToList()), cancellationToken);
                    return;
                }
                if (current.Status is BatchJobStatus.Cancelled or BatchJobStatus.Failed)
                {
                    var reason = current.Status == BatchJobStatus.Cancelled ? "The job was cancelled." : current.Error ?? "The job could not run.";
                    await stream.WriteAsync(ErrorId, new ErrorEvent(reason), cancellationToken);
                    return;
                }
                if (time.GetUtcNow() - lastWrite >= heartbeat)
                {
                    await stream.CommentAsync("keepalive", cancellationToken);
                    lastWrite = time.GetUtcNow();
                }
                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
        }
    }

    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds);
}
