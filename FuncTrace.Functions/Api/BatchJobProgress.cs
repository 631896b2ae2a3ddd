using System.Globalization;
using FuncTrace.Domain.BatchScoring;

namespace FuncTrace.Functions.Api;

/// <summary>
/// Follows a job by reading its progress from storage, so it works whichever instance runs the worker.
/// Stream event ids: <c>{n}.1</c> (progress) and <c>{n}.2</c> (result) for the n-th finished test, then
/// <c>complete</c> or <c>error</c>; <c>Last-Event-ID</c> resumes right after the event it names.
/// </summary>
public sealed class BatchJobProgress(BatchJobService jobs, TimeProvider time)
{
    private const string CompleteId = "complete";
    private const string ErrorId = "error";

    public static bool IsFinalEventId(string? lastEventId) => lastEventId is CompleteId or ErrorId;

    /// <summary>The position a <c>Last-Event-ID</c> names: resume after sequence n, or replay n's result when only its progress was seen.</summary>
    public static (long After, bool ResultPending) SequenceOf(string? lastEventId)
    {
        var parts = (lastEventId ?? string.Empty).Split('.');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return parts[1] == "1" ? (n, true) : (n, false);
        }
        return (0, false);
    }

    /// <summary>Polls until the job finishes or <paramref name="timeout"/> passes; returns the job as last read, or null on timeout.</summary>
    public async Task<BatchJob?> WaitAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            var job = await jobs.FindAsync(jobId, cancellationToken);
            if (job is not null && BatchJobStatus.IsFinished(job.Status))
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
        var heartbeat = TimeSpan.FromSeconds(jobs.Options.HeartbeatSeconds);
        var lastWrite = time.GetUtcNow();
        var sent = position.After;
        var replayResultOf = position.ResultPending ? position.After : (long?)null;
        if (replayResultOf is { } pending)
        {
            sent = pending - 1;
        }

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var result in await jobs.ResultsAfterAsync(job.Id, sent, cancellationToken))
                {
                    if (replayResultOf != result.Sequence)
                    {
                        await stream.WriteAsync($"{result.Sequence}.1", new { type = "progress", current = result.Sequence, total = job.Total, currentTest = result.TestId }, cancellationToken);
                    }
                    await stream.WriteAsync($"{result.Sequence}.2", new { type = "result", result = BatchScorePayloads.Result(result) }, cancellationToken);
                    sent = result.Sequence;
                    replayResultOf = null;
                    lastWrite = time.GetUtcNow();
                }

                var current = await jobs.FindAsync(job.Id, cancellationToken) ?? job;
                if (current.Status == BatchJobStatus.Completed && sent >= current.Done)
                {
                    var results = await jobs.ResultsAsync(job.Id, cancellationToken);
                    var ordered = BatchScorePayloads.Ordered(current, results);
                    await stream.WriteAsync(CompleteId, new
                    {
                        type = "complete",
                        results = ordered,
                        failed = ordered.Where(r => r.ContainsKey("error")).ToList(),
                    }, cancellationToken);
                    return;
                }
                if (current.Status is BatchJobStatus.Cancelled or BatchJobStatus.Failed)
                {
                    var reason = current.Status == BatchJobStatus.Cancelled ? "The job was cancelled." : current.Error ?? "The job could not run.";
                    await stream.WriteAsync(ErrorId, new { type = "error", error = reason }, cancellationToken);
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

    private TimeSpan PollInterval => TimeSpan.FromMilliseconds(jobs.Options.PollIntervalMilliseconds);
}
