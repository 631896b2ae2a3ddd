using System.Text.Json;
using Azure;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Llm;
using FuncTrace.Domain.Status;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.BatchScoring;

/// <summary>
/// Creates scoring jobs (rows, then one queue message per test), records results exactly once, and reads
/// progress back for status requests and event streams, whichever instance the worker runs on.
/// </summary>
public sealed class BatchJobService(StorageCatalog storage, TenantCounters counters, BatchScoreOptions options, LlmOptions llm, TimeProvider time)
{
    public const string QueueName = "score";
    private const int MaxRecordAttempts = 200;
    private readonly TableClient _table = storage.Table(StorageNames.JobsTable);

    public BatchScoreOptions Options => options;

    /// <summary>
    /// Creates the job and queues its tests. With <paramref name="jobId"/> (derived from a client's idempotency key) a
    /// retry finds the job the first request created and returns it with <c>Created = false</c>; the same id with
    /// other tests is a conflict.
    /// </summary>
    public async Task<(BatchJob Job, bool Created)> CreateAsync(string tenant, string? judgingMatrix, IReadOnlyList<BatchTest>? tests, string? jobId = null, CancellationToken cancellationToken = default)
    {
        var validTests = Validate(judgingMatrix, tests);
        if (!llm.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
        var requestHash = RequestHash(judgingMatrix!, validTests);
        if (jobId is not null && await ReplayAsync(tenant, jobId, requestHash, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return (existing, false);
        }

        // Counted first: if counting fails nothing else has happened, so the client can simply retry.
        await counters.AddAsync(tenant, new Dictionary<string, long> { [TenantCounters.JobsCreated] = 1 }, cancellationToken).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var job = new BatchJob(jobId ?? "job-" + EventIds.New(now).ToLowerInvariant(), tenant, BatchJobStatus.Running, validTests.Count, 0, 0,
            validTests.Select(t => t.Id).ToList(), null, now, null);
        // The job row goes last: until it exists the job is invisible, so a failure here leaves nothing running.
        // Test rows are upserted: a retry with the same id writes the same rows again.
        var actions = validTests
            .Select(t => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(job.Id, BatchJobKeys.Test(t.Id)) { { "Text", t.Text } }))
            .ToList();
        actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(job.Id, BatchJobKeys.Job)
        {
            { "Tenant", tenant },
            { "Status", job.Status },
            { "JudgingMatrix", judgingMatrix },
            { "Total", job.Total },
            { "Scored", 0 },
            { "Failed", 0 },
            { "TestOrder", JsonSerializer.Serialize(job.TestOrder) },
            { "RequestHash", requestHash },
            { "CreatedAt", now },
        }));
        try
        {
            foreach (var chunk in actions.Chunk(TableTransactionBody.MaxActions))
            {
                await _table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409 && jobId is not null)
        {
            // A concurrent request with the same key created the job first.
            return (await ReplayAsync(tenant, jobId, requestHash, cancellationToken).ConfigureAwait(false)
                ?? throw FuncTraceException.Conflict("Another request with this idempotency key is creating the job; retry shortly."), false);
        }

        // Once the job exists, every test must reach the queue even if the client goes away meanwhile.
        var queue = storage.Queue(QueueName);
        try
        {
            await Parallel.ForEachAsync(
                validTests,
                new ParallelOptions { MaxDegreeOfParallelism = options.EnqueueConcurrency },
                async (test, ct) => await queue.SendMessageAsync(JsonSerializer.Serialize(new ScoreMessage(job.Id, test.Id)), cancellationToken: ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Tests whose message never left would keep the job running forever: end it now, visibly.
            await FailAsync(job.Id, "The job's work could not be queued; submit it again.", CancellationToken.None).ConfigureAwait(false);
            throw new FuncTraceException(ErrorCode.ServiceUnavailable, "The job's work could not be queued; retry shortly.", inner: ex);
        }
        return (job, true);
    }

    /// <summary>The job an earlier request with this id created, or null when there is none yet.</summary>
    private async Task<BatchJob?> ReplayAsync(string tenant, string jobId, string requestHash, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Job, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }
        var job = ToJob(row);
        if (job.Tenant != tenant || row.GetString("RequestHash") != requestHash)
        {
            throw FuncTraceException.Conflict("This idempotency key was used for another batch job; use a new key for new tests.");
        }
        if (job.Status == BatchJobStatus.Failed)
        {
            throw FuncTraceException.Conflict($"The job created with this idempotency key failed ({job.Error}); submit it again with a new key.");
        }
        return job;
    }

    private static string RequestHash(string judgingMatrix, IReadOnlyList<BatchTest> tests)
    {
        var canonical = JsonSerializer.Serialize(new object[] { judgingMatrix, tests.Select(t => new object[] { t.Id, t.Text }) });
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)))[..32];
    }

    /// <summary>The caller's job; another tenant's job is reported as missing.</summary>
    public async Task<BatchJob> GetAsync(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        var job = await FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        return job is not null && job.Tenant == tenant ? job : throw FuncTraceException.NotFound($"No batch job with id '{jobId}'.");
    }

    public async Task<BatchJob?> FindAsync(string jobId, CancellationToken cancellationToken = default)
    {
        if (!CanBeJobId(jobId))
        {
            return null;
        }
        var row = await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Job, ["Tenant", "Status", "Total", "Scored", "Failed", "TestOrder", "Error", "CreatedAt", "FinishedAt"], cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToJob(row);
    }

    /// <summary>Whether <paramref name="jobId"/> could name a job: a partition key no longer than the ids this service makes.</summary>
    private static bool CanBeJobId(string jobId) => TableKeys.IsValid(jobId, out _) && jobId.Length <= 64;

    /// <summary>The judging matrix and a test's text, for the worker.</summary>
    public async Task<(string JudgingMatrix, string Text)?> GetWorkAsync(string jobId, long testId, CancellationToken cancellationToken = default)
    {
        var job = await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Job, ["JudgingMatrix"], cancellationToken).ConfigureAwait(false);
        var test = await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Test(testId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return job is null || test is null ? null : (job.GetString("JudgingMatrix")!, test.GetString("Text")!);
    }

    /// <summary>Every recorded result of the job, by test id.</summary>
    public async Task<IReadOnlyDictionary<long, TestResult>> ResultsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var results = new Dictionary<long, TestResult>();
        await foreach (var row in _table.QueryAsync(TableFilter.Prefix(jobId, BatchJobKeys.ResultPrefix), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var result = ToResult(row);
            results[result.TestId] = result;
        }
        return results;
    }

    /// <summary>Results in the order they finished, after the <paramref name="afterSequence"/>-th: what a stream has not sent yet.</summary>
    public async Task<IReadOnlyList<TestResult>> ResultsAfterAsync(string jobId, long afterSequence, CancellationToken cancellationToken = default)
    {
        var list = new List<TestResult>();
        await foreach (var row in _table.QueryAsync(TableFilter.Range(jobId, BatchJobKeys.Sequence(afterSequence + 1), TableKeys.PrefixEnd(BatchJobKeys.SequencePrefix)), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(ToResult(row));
        }
        return list;
    }

    /// <summary>Ends a job that cannot run at all (e.g. the LLM is not configured); its stream ends with an error.</summary>
    public async Task FailAsync(string jobId, string reason, CancellationToken cancellationToken = default)
    {
        var update = new TableEntity(jobId, BatchJobKeys.Job) { { "Status", BatchJobStatus.Failed }, { "Error", Truncate(reason) }, { "FinishedAt", time.GetUtcNow() } };
        await _table.UpsertEntityAsync(update, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a running job: tests not yet scored are skipped by the worker. Finished jobs stay as they are.</summary>
    public async Task<BatchJob> CancelAsync(string tenant, string jobId, CancellationToken cancellationToken = default)
    {
        if (!CanBeJobId(jobId))
        {
            throw FuncTraceException.NotFound($"No batch job with id '{jobId}'.");
        }
        for (var attempt = 0; attempt < MaxRecordAttempts; attempt++)
        {
            var row = await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Job, cancellationToken: cancellationToken).ConfigureAwait(false);
            var job = row is null ? null : ToJob(row);
            if (job is null || job.Tenant != tenant)
            {
                throw FuncTraceException.NotFound($"No batch job with id '{jobId}'.");
            }
            if (BatchJobStatus.IsFinished(job.Status))
            {
                return job;
            }
            var update = new TableEntity(jobId, BatchJobKeys.Job) { { "Status", BatchJobStatus.Cancelled }, { "FinishedAt", time.GetUtcNow() } };
            try
            {
                await _table.UpdateEntityAsync(update, row!.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return job with { Status = BatchJobStatus.Cancelled };
            }
            catch (StorageConflictException)
            {
                // A result landed meanwhile; read the counts again.
            }
        }
        throw FuncTraceException.Conflict("The job changed too often to cancel; retry.");
    }

    /// <summary>
    /// Records one test's outcome once: the result row, the next sequence entry and the job's counters go in one
    /// transaction guarded by the job's ETag. A result already recorded (a re-delivered message) changes nothing.
    /// Returns false when the job is cancelled or gone and nothing was recorded.
    /// </summary>
    public async Task<bool> RecordAsync(string jobId, long testId, JudgeScore? score, string? error, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < MaxRecordAttempts; attempt++)
        {
            var row = await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Job, ["Status", "Total", "Scored", "Failed"], cancellationToken).ConfigureAwait(false);
            if (row is null || row.GetString("Status") != BatchJobStatus.Running)
            {
                return false;
            }
            var scored = row.GetInt32("Scored") ?? 0;
            var failed = row.GetInt32("Failed") ?? 0;
            var sequence = scored + failed + 1L;
            var now = time.GetUtcNow();
            var outcome = new Dictionary<string, object?>
            {
                ["TestId"] = testId,
                ["Score"] = score?.Score,
                ["Reasoning"] = Truncate(score?.Reasoning),
                ["Error"] = Truncate(error),
                ["Sequence"] = sequence,
                ["RecordedAt"] = now,
            };
            var update = new TableEntity(jobId, BatchJobKeys.Job)
            {
                { score is null ? "Failed" : "Scored", (score is null ? failed : scored) + 1 },
            };
            if (sequence >= (row.GetInt32("Total") ?? 0))
            {
                update["Status"] = BatchJobStatus.Completed;
                update["FinishedAt"] = now;
            }
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, WithProperties(new TableEntity(jobId, BatchJobKeys.Result(testId)), outcome)),
                new(TableTransactionActionType.Add, WithProperties(new TableEntity(jobId, BatchJobKeys.Sequence(sequence)), outcome)),
                new(TableTransactionActionType.UpdateMerge, update, row.ETag),
            };
            try
            {
                await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 && ex.FailedActionIndex is null or 0)
            {
                // Either this test's result is already stored (a re-delivered message) or another result took the
                // sequence number; when the service did not say which row it refused, look.
                if (ex.FailedActionIndex == 0 || await IsRecordedAsync(jobId, testId, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 412 or 409)
            {
                // Another result took this sequence number; back off a little and take the next.
                await Task.Delay(Random.Shared.Next(2, 20), cancellationToken).ConfigureAwait(false);
            }
        }
        throw new InvalidOperationException($"Could not record test {testId} of job {jobId} after {MaxRecordAttempts} attempts.");
    }

    private async Task<bool> IsRecordedAsync(string jobId, long testId, CancellationToken cancellationToken) =>
        await _table.GetEntityIfExistsAsync(jobId, BatchJobKeys.Result(testId), ["TestId"], cancellationToken).ConfigureAwait(false) is not null;

    private List<BatchTest> Validate(string? judgingMatrix, IReadOnlyList<BatchTest>? tests)
    {
        Validation.Required(judgingMatrix, "judgingMatrix", options.MaxTextLength);
        if (tests is null || tests.Count == 0)
        {
            throw FuncTraceException.Validation("'tests' must be a non-empty array of {\"id\", \"text\"}.", "tests");
        }
        if (tests.Count > options.MaxTests)
        {
            throw FuncTraceException.Validation($"'tests' holds {tests.Count} tests; the most one job takes is {options.MaxTests}.", "tests");
        }
        var seen = new HashSet<long>();
        foreach (var test in tests)
        {
            if (test.Id < 1)
            {
                throw FuncTraceException.Validation($"Test id {test.Id} is not a positive integer.", "tests.id");
            }
            if (!seen.Add(test.Id))
            {
                throw FuncTraceException.Validation($"Test id {test.Id} appears more than once.", "tests.id");
            }
            Validation.Required(test.Text, $"tests[{test.Id}].text", options.MaxTextLength);
        }
        return tests.ToList();
    }

    private static TableEntity WithProperties(TableEntity entity, Dictionary<string, object?> properties)
    {
        foreach (var (name, value) in properties)
        {
            entity[name] = value;
        }
        return entity;
    }

    private static string? Truncate(string? text) => text is { Length: > 4000 } ? text[..4000] : text;

    private static BatchJob ToJob(TableEntity row) => new(
        row.PartitionKey,
        row.GetString("Tenant")!,
        row.GetString("Status")!,
        row.GetInt32("Total") ?? 0,
        row.GetInt32("Scored") ?? 0,
        row.GetInt32("Failed") ?? 0,
        JsonSerializer.Deserialize<List<long>>(row.GetString("TestOrder") ?? "[]")!,
        row.GetString("Error"),
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("FinishedAt"));

    private static TestResult ToResult(TableEntity row) => new(
        row.GetInt64("TestId") ?? 0,
        row.GetInt32("Score"),
        row.GetString("Reasoning"),
        row.GetString("Error"),
        row.GetInt64("Sequence") ?? 0);
}
