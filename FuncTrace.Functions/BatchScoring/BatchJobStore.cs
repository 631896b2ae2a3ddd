using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// Reads and changes stored jobs (rows: <see cref="BatchJobRows"/>): progress for status requests and streams, work
/// for the score function, results recorded exactly once, cancelling, and ending jobs past their deadline.
/// </summary>
public sealed partial class BatchJobStore(TableServiceClient tables, StorageNames names, IOptions<BatchScoreOptions> options, TimeProvider time)
{
    private readonly TableClient _table = tables.GetTableClient(names.Table(StorageNames.JobsTable));
    private readonly SemaphoreSlim[] _countGates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public TableClient Table => _table;

    /// <summary>Whether <paramref name="jobId"/> could name a job at all (ids are ours: <c>job-</c> and key-safe characters).</summary>
    public static bool CanBeJobId(string? jobId) => jobId is not null && JobIdPattern().IsMatch(jobId);

    /// <summary>The caller's job; another tenant's job is reported as missing.</summary>
    public async Task<BatchJob> GetAsync(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        var job = await FindAsync(jobId, cancellationToken);
        return job is not null && job.Tenant == tenant ? job : throw NotFound(jobId);
    }

    /// <summary>
    /// The job, or null. Whoever reads a running job past its deadline ends it here, so every reader (status, stream,
    /// list, a retried POST) sees a job that ends even when something lost its remaining work.
    /// </summary>
    public async Task<BatchJob?> FindAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!CanBeJobId(jobId))
        {
            return null;
        }
        var row = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, BatchJobRows.JobColumns, cancellationToken)).ValueOrNull();
        var job = row is null ? null : BatchJobRows.ToJob(row);
        if (job is { Status: BatchJobStatus.Running } && time.GetUtcNow() > job.Deadline)
        {
            var seconds = options.Value.JobTimeoutSeconds;
            return await FinishAsync(jobId, BatchJobStatus.Failed,
                $"The job did not finish within {seconds} s; {job.Scored} of {job.Total} tests were scored.", cancellationToken) ?? job;
        }
        return job;
    }

    /// <summary>A page of the tenant's jobs, newest first, and the row key to continue after (null on the last page).</summary>
    public async Task<(IReadOnlyList<BatchJob> Jobs, string? LastKey)> ListAsync(string tenant, int limit, string? afterKey, CancellationToken cancellationToken = default)
    {
        var partition = BatchJobRows.TenantPartition(tenant);
        var filter = afterKey is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {afterKey}");
        var page = await _table.QueryAsync<TableEntity>(filter, limit, ["RowKey", "JobId"], cancellationToken).AsPages(pageSizeHint: limit).FirstAsync(cancellationToken);
        var rows = page.Values.Take(limit).ToList();
        var jobs = await Task.WhenAll(rows.Select(row => FindAsync(row.GetString("JobId") ?? string.Empty, cancellationToken)));
        var lastKey = page.ContinuationToken is null || rows.Count == 0 ? null : rows[^1].RowKey;
        return (jobs.OfType<BatchJob>().Where(j => j.Tenant == tenant).ToList(), lastKey);
    }

    /// <summary>Every counted outcome of the job, in the order they finished.</summary>
    public Task<IReadOnlyList<TestOutcome>> ResultsAsync(string jobId, CancellationToken cancellationToken = default) =>
        ResultsAfterAsync(jobId, 0, cancellationToken);

    /// <summary>Outcomes after the <paramref name="afterSequence"/>-th: what a stream has not sent yet. Bounded by the job's size.</summary>
    public async Task<IReadOnlyList<TestOutcome>> ResultsAfterAsync(string jobId, long afterSequence, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {jobId} and RowKey ge {BatchJobRows.Sequence(afterSequence + 1)} and RowKey lt {BatchJobRows.SequencePrefix + "~"}");
        var list = new List<TestOutcome>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            list.Add(BatchJobRows.ToOutcome(row));
        }
        return list;
    }

    /// <summary>The ids of the tests whose outcome is stored, counted or not yet.</summary>
    public async Task<IReadOnlySet<long>> RecordedTestIdsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {jobId} and RowKey ge {BatchJobRows.ResultPrefix} and RowKey lt {BatchJobRows.ResultPrefix + "~"}");
        var ids = new HashSet<long>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["TestId"], cancellationToken: cancellationToken))
        {
            ids.Add(row.GetInt64("TestId") ?? 0);
        }
        return ids;
    }

    /// <summary>
    /// What the score function has to do for a test: judge it, only count an outcome stored before (an attempt that
    /// stopped between the two steps of <see cref="RecordAsync"/>), or nothing (the job is over, or the test counted).
    /// </summary>
    public async Task<ScoreWork?> GetWorkAsync(string jobId, long testId, CancellationToken cancellationToken = default)
    {
        var job = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, ["Status", "JudgingMatrix", "RequestHash", "Deadline"], cancellationToken)).ValueOrNull();
        if (job is null || job.GetString("Status") != BatchJobStatus.Running || time.GetUtcNow() > job.GetDateTimeOffset("Deadline"))
        {
            return null;
        }
        var outcome = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Result(testId), ["Sequence"], cancellationToken)).ValueOrNull();
        if (outcome is not null)
        {
            return outcome.GetInt64("Sequence") is null ? new ScoreWork.CountOnly() : null;
        }
        var test = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Test(job.GetString("RequestHash") ?? string.Empty, testId), ["Text"], cancellationToken)).ValueOrNull();
        return test is null ? null : new ScoreWork.Judge(job.GetString("JudgingMatrix") ?? string.Empty, test.GetString("Text") ?? string.Empty);
    }

    /// <summary>Keeps why an attempt failed on the test's row, so the poison function can say why the test was given up.</summary>
    public async Task NoteFailedAttemptAsync(string jobId, long testId, string error, CancellationToken cancellationToken = default)
    {
        var hash = await RequestHashAsync(jobId, cancellationToken);
        if (hash is not null)
        {
            var note = new TableEntity(jobId, BatchJobRows.Test(hash, testId)) { ["LastError"] = BatchJobRows.Truncate(error) };
            await _table.UpsertEntityAsync(note, TableUpdateMode.Merge, cancellationToken);
        }
    }

    public async Task<string?> LastErrorAsync(string jobId, long testId, CancellationToken cancellationToken = default)
    {
        var hash = await RequestHashAsync(jobId, cancellationToken);
        var test = hash is null ? null : (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Test(hash, testId), ["LastError"], cancellationToken)).ValueOrNull();
        return test?.GetString("LastError");
    }

    /// <summary>
    /// Records one test's outcome once, in two steps that are each safe to repeat: the outcome row is added (the first
    /// outcome of a test wins), then it is counted — its sequence entry, its <c>Sequence</c> and the job's counters in one
    /// transaction guarded by the ETags of the job and of the outcome. A re-delivered message, a late duplicate or a
    /// retry after a crash between the steps changes nothing or finishes the count. False when the job is not running.
    /// </summary>
    public async Task<bool> RecordAsync(string jobId, long testId, JudgeScore? score, string? error, CancellationToken cancellationToken = default)
    {
        var status = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, ["Status"], cancellationToken)).ValueOrNull()?.GetString("Status");
        if (status != BatchJobStatus.Running)
        {
            return false;
        }
        TableEntity? added = BatchJobRows.Outcome(jobId, BatchJobRows.Result(testId), testId, score?.Score, score?.Reasoning, error, null, time.GetUtcNow());
        try
        {
            added.ETag = (await _table.AddEntityAsync(added, cancellationToken)).Headers.ETag ?? default;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded before; count it below if that did not happen yet.
            added = null;
        }
        return await CountAsync(jobId, testId, added, cancellationToken);
    }

    /// <summary>
    /// Counts a stored outcome once. Every count of a job moves its one row, so on this instance the counts of a job
    /// wait for each other (a lock per stripe of job ids) instead of racing for its ETag; only other instances race,
    /// through <see cref="OptimisticRetry"/>.
    /// </summary>
    /// <param name="outcome">The outcome row as just added, with its ETag: saves reading it back on the first attempt.</param>
    public async Task<bool> CountAsync(string jobId, long testId, TableEntity? outcome = null, CancellationToken cancellationToken = default)
    {
        var gate = _countGates[(int)((uint)StringComparer.Ordinal.GetHashCode(jobId) % (uint)_countGates.Length)];
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await OptimisticRetry.RunAsync(async () =>
            {
                var known = outcome;
                outcome = null;
                return await CountOnceAsync(jobId, testId, known, cancellationToken);
            }, IsConflict, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> CountOnceAsync(string jobId, long testId, TableEntity? known, CancellationToken cancellationToken)
    {
        var job = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, ["Status", "Total", "Scored", "Failed"], cancellationToken)).ValueOrNull();
        if (job is null || job.GetString("Status") != BatchJobStatus.Running)
        {
            return false;
        }
        var result = known ?? (await _table.GetEntityAsync<TableEntity>(jobId, BatchJobRows.Result(testId), cancellationToken: cancellationToken)).Value;
        if (result.GetInt64("Sequence") is not null)
        {
            return true;
        }
        var scored = job.GetInt32("Scored") ?? 0;
        var failed = job.GetInt32("Failed") ?? 0;
        var sequence = scored + failed + 1L;
        var now = time.GetUtcNow();
        var isScored = result.GetInt32("Score") is not null;
        var counters = new TableEntity(jobId, BatchJobRows.Job) { [isScored ? "Scored" : "Failed"] = (isScored ? scored : failed) + 1 };
        if (sequence >= (job.GetInt32("Total") ?? 0))
        {
            counters["Status"] = BatchJobStatus.Completed;
            counters["FinishedAt"] = now;
        }
        var outcome = BatchJobRows.ToOutcome(result);
        await _table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, BatchJobRows.Outcome(jobId, BatchJobRows.Sequence(sequence), testId, outcome.Score, outcome.Reasoning, outcome.Error, sequence, now)),
            new(TableTransactionActionType.UpdateMerge, new TableEntity(jobId, result.RowKey) { ["Sequence"] = sequence }, result.ETag),
            new(TableTransactionActionType.UpdateMerge, counters, job.ETag),
        ], cancellationToken);
        return true;
    }

    /// <summary>Stops a running job: tests not yet scored are skipped. A finished job stays as it is.</summary>
    public async Task<BatchJob> CancelAsync(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(tenant, jobId, cancellationToken);
        return BatchJobStatus.IsFinished(job.Status)
            ? job
            : await FinishAsync(jobId, BatchJobStatus.Cancelled, null, cancellationToken) ?? throw NotFound(jobId);
    }

    /// <summary>Ends a running job with <paramref name="status"/>; a job that ended meanwhile keeps its end. Null when the job is gone.</summary>
    public Task<BatchJob?> FinishAsync(string jobId, string status, string? error, CancellationToken cancellationToken = default) =>
        OptimisticRetry.RunAsync(async () =>
        {
            var row = (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, BatchJobRows.JobColumns, cancellationToken)).ValueOrNull();
            if (row is null)
            {
                return null;
            }
            var job = BatchJobRows.ToJob(row);
            if (BatchJobStatus.IsFinished(job.Status))
            {
                return job;
            }
            var now = time.GetUtcNow();
            var end = new TableEntity(jobId, BatchJobRows.Job) { ["Status"] = status, ["FinishedAt"] = now };
            if (error is not null)
            {
                end["Error"] = BatchJobRows.Truncate(error);
            }
            await _table.UpdateEntityAsync(end, row.ETag, TableUpdateMode.Merge, cancellationToken);
            return job with { Status = status, Error = error, FinishedAt = now };
        }, IsConflict, cancellationToken);

    private async Task<bool> IsRecordedAsync(string jobId, long testId, CancellationToken cancellationToken) =>
        (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Result(testId), ["TestId"], cancellationToken)).HasValue;

    private async Task<string?> RequestHashAsync(string jobId, CancellationToken cancellationToken) =>
        (await _table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, ["RequestHash"], cancellationToken)).ValueOrNull()?.GetString("RequestHash");

    /// <summary>Another writer got there first: an ETag that moved (412) or a key already taken (409).</summary>
    private static bool IsConflict(Exception ex) => ex is RequestFailedException { Status: 409 or 412 };

    private static FuncTraceException NotFound(string jobId) => FuncTraceException.NotFound($"No batch job with id '{jobId}'.");

    [GeneratedRegex("^job-[a-z0-9_-]{1,60}$")]
    private static partial Regex JobIdPattern();
}
