using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// Creates jobs so that every job ends, even when the process creating it dies half-way. Table and queue cannot be
/// written in one transaction, so the order decides what a crash can leave behind:
/// <list type="number">
/// <item>the test rows: invisible, nothing refers to them yet;</item>
/// <item>a creation-check message, hidden for <see cref="BatchScoreOptions.RecoverAfter"/>: durable before the job is visible;</item>
/// <item>the job row, within half of that time or not at all: from here on the job is visible;</item>
/// <item>the tenant's listing row, one score message per test, then <c>Queued</c> on the job row.</item>
/// </list>
/// When the check message comes due, <see cref="FinishCreationAsync"/> looks at the job: absent (the creator stopped
/// before step 3) or queued, there is nothing to do; otherwise it does step 4 for every test without an outcome. So a
/// crash leaves nothing visible or a job that the check completes; a test queued twice is still scored and counted once.
/// The job row is written enlisted in an ingest slot, like an event, so the tenant's <c>jobs_created</c> counts every
/// job exactly once: a replay adds no row, and a creator that dies mid-slot is counted by recovery from the row.
/// </summary>
public sealed class BatchJobCreator(
    BatchJobStore store,
    IngestJournal journal,
    QueueServiceClient queues,
    StorageNames names,
    LlmOptions llm,
    IOptions<BatchScoreOptions> options,
    TimeProvider time,
    ILogger<BatchJobCreator> logger)
{
    // A transaction may carry 4 MiB; tests of up to 30,000 characters are packed below that with room for the envelope.
    private const int MaxTransactionActions = 100;
    private const int MaxTransactionBytes = 3 * 1024 * 1024;

    private readonly QueueClient _scoreQueue = queues.GetQueueClient(names.Queue(StorageNames.ScoreQueue));
    private readonly QueueClient _checkQueue = queues.GetQueueClient(names.Queue(StorageNames.ScoreCheckQueue));

    /// <summary>
    /// Creates the job and queues its tests. With <paramref name="jobId"/> (derived from a client's idempotency key) a
    /// retry finds the job the first request created and returns it with <c>Created = false</c>; the same id with other
    /// tests is a conflict.
    /// </summary>
    public async Task<(BatchJob Job, bool Created)> CreateAsync(string tenant, string? judgingMatrix, IReadOnlyList<BatchTest>? tests, string? jobId, CancellationToken cancellationToken = default)
    {
        var (matrix, validTests) = Validate(judgingMatrix, tests);
        if (!llm.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
        var requestHash = RequestHash(matrix, validTests);
        if (jobId is not null && await ReplayAsync(tenant, jobId, requestHash, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        var id = jobId ?? "job-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        await WriteTestsAsync(id, requestHash, validTests, cancellationToken);

        var checkSentAt = time.GetUtcNow();
        try
        {
            await _checkQueue.SendMessageAsync(new CreationCheckMessage(id).ToJson(), visibilityTimeout: options.Value.RecoverAfter, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            throw new FuncTraceException(ErrorCode.ServiceUnavailable, "The job could not be queued; nothing was started, retry shortly.", inner: ex);
        }

        var now = time.GetUtcNow();
        var job = new BatchJob(id, tenant, BatchJobStatus.Running, validTests.Count, 0, 0, validTests.Select(t => t.Id).ToList(),
            requestHash, false, null, now, now + options.Value.JobTimeout, null);
        try
        {
            await AddJobRowAsync(job, matrix, checkSentAt + (options.Value.RecoverAfter / 2), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && jobId is not null)
        {
            // A concurrent request with the same key made the job visible first; it queues the tests.
            return (await ReplayAsync(tenant, jobId, requestHash, cancellationToken)
                ?? throw FuncTraceException.Conflict("Another request with this idempotency key is creating the job; retry shortly."), false);
        }

        try
        {
            // Not the request's token: once the job is visible its tests should be queued even if the client left.
            await QueueAsync(job, new HashSet<long>(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not queue every test of job {JobId}; its creation check queues the rest", id);
        }
        return (job, true);
    }

    /// <summary>The creation check: queues what a creator that stopped after making the job visible did not.</summary>
    public async Task FinishCreationAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var job = await store.FindAsync(jobId, cancellationToken);
        if (job is null)
        {
            logger.LogInformation("Job {JobId} never became visible: its creator stopped first, and nothing was started", jobId);
            return;
        }
        if (job.Queued || BatchJobStatus.IsFinished(job.Status))
        {
            return;
        }
        logger.LogWarning("Job {JobId} was left with its tests not all queued; queuing the ones without an outcome", jobId);
        await QueueAsync(job, await store.RecordedTestIdsAsync(jobId, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// The job row, added only while the creation check is still far enough off to see it, in an ingest slot. A 409 on
    /// a row carrying this very slot is this write's own (its answer was lost and the storage client retried it).
    /// </summary>
    private async Task AddJobRowAsync(BatchJob job, string matrix, DateTimeOffset visibleBy, CancellationToken cancellationToken)
    {
        var ticket = await journal.EnlistAsync([BatchJobRows.SlotPartition(job.Tenant, job.Id)], 300, cancellationToken);
        var row = BatchJobRows.NewJob(job, matrix, ticket.Slot);
        var remaining = visibleBy - time.GetUtcNow();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (remaining <= TimeSpan.Zero)
            {
                throw new OperationCanceledException();
            }
            bound.CancelAfter(remaining);
            await store.Table.AddEntityAsync(row, bound.Token);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            if (!await IsOwnRowAsync(job.Id, ticket))
            {
                ticket.Abandon();
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ticket.Complete([], ct => CountedIfStoredAsync(job.Id, ticket.Slot, ct));
            throw new FuncTraceException(ErrorCode.ServiceUnavailable, "Storage was too slow to create the job; nothing was started, retry shortly.");
        }
        catch (Exception ex) when (StorageOutcome.IsUncertain(ex))
        {
            ticket.Complete([], ct => CountedIfStoredAsync(job.Id, ticket.Slot, ct));
            throw;
        }
        catch
        {
            ticket.Abandon();
            throw;
        }
        ticket.Complete([BatchJobRows.ToViewItem(row)]);
    }

    /// <summary>Whether the existing job row carries this ticket's slot: this write's own, counted like any new job.</summary>
    private async Task<bool> IsOwnRowAsync(string jobId, SlotTicket ticket)
    {
        try
        {
            var stored = (await store.Table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, ["Slot"], CancellationToken.None)).ValueOrNull();
            return stored?.GetString("Slot") == ticket.Slot;
        }
        catch
        {
            ticket.Complete([], ct => CountedIfStoredAsync(jobId, ticket.Slot, ct));
            throw;
        }
    }

    /// <summary>For a write whose outcome is unknown: the job's item when its row was stored in this slot after all.</summary>
    private async Task<IReadOnlyList<ViewItem>> CountedIfStoredAsync(string jobId, string slot, CancellationToken cancellationToken)
    {
        var row = (await store.Table.GetEntityIfExistsAsync<TableEntity>(jobId, BatchJobRows.Job, ["PartitionKey", "Tenant", "CreatedAt", "Slot"], cancellationToken)).ValueOrNull();
        return row?.GetString("Slot") == slot ? [BatchJobRows.ToViewItem(row)] : [];
    }

    private async Task QueueAsync(BatchJob job, IReadOnlySet<long> skip, CancellationToken cancellationToken)
    {
        var listing = new TableEntity(BatchJobRows.TenantPartition(job.Tenant), BatchJobRows.Listing(job.CreatedAt, job.Id)) { ["JobId"] = job.Id };
        await store.Table.UpsertEntityAsync(listing, TableUpdateMode.Replace, cancellationToken);
        await Parallel.ForEachAsync(
            job.TestOrder.Where(id => !skip.Contains(id)),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.EnqueueConcurrency, CancellationToken = cancellationToken },
            async (testId, ct) => await _scoreQueue.SendMessageAsync(new ScoreMessage(job.Id, testId).ToJson(), ct));
        await store.Table.UpdateEntityAsync(new TableEntity(job.Id, BatchJobRows.Job) { ["Queued"] = true }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Upserts: a retry with the same key writes the same rows again.</summary>
    private async Task WriteTestsAsync(string jobId, string requestHash, IReadOnlyList<BatchTest> tests, CancellationToken cancellationToken)
    {
        var batch = new List<TableTransactionAction>();
        var bytes = 0;
        foreach (var test in tests)
        {
            var size = JsonEncodedText.Encode(test.Text).EncodedUtf8Bytes.Length + 512;
            if (batch.Count == MaxTransactionActions || (batch.Count > 0 && bytes + size > MaxTransactionBytes))
            {
                await store.Table.SubmitTransactionAsync(batch, cancellationToken);
                batch = [];
                bytes = 0;
            }
            batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(jobId, BatchJobRows.Test(requestHash, test.Id)) { ["Text"] = test.Text }));
            bytes += size;
        }
        await store.Table.SubmitTransactionAsync(batch, cancellationToken);
    }

    /// <summary>The job an earlier request with this id created, or null when there is none yet.</summary>
    private async Task<BatchJob?> ReplayAsync(string tenant, string jobId, string requestHash, CancellationToken cancellationToken)
    {
        var job = await store.FindAsync(jobId, cancellationToken);
        if (job is null)
        {
            return null;
        }
        if (job.Tenant != tenant || job.RequestHash != requestHash)
        {
            throw FuncTraceException.Conflict("This idempotency key was used for another batch job; use a new key for new tests.");
        }
        if (job.Status == BatchJobStatus.Failed)
        {
            throw FuncTraceException.Conflict($"The job created with this idempotency key failed ({job.Error}); submit it again with a new key.");
        }
        return job;
    }

    /// <summary>The checks <see cref="CreateAsync"/> makes first: a 400 naming the field, before anything is stored.</summary>
    public (string JudgingMatrix, List<BatchTest> Tests) Validate(string? judgingMatrix, IReadOnlyList<BatchTest>? tests)
    {
        var limits = options.Value;
        var matrix = Validation.Required(judgingMatrix, "judgingMatrix", limits.MaxTextLength);
        if (tests is null || tests.Count == 0)
        {
            throw FuncTraceException.Validation("'tests' must be a non-empty array of {\"id\", \"text\"}.", "tests");
        }
        if (tests.Count > limits.MaxTests)
        {
            throw FuncTraceException.Validation($"'tests' holds {tests.Count} tests; the most one job takes is {limits.MaxTests}.", "tests");
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
            Validation.Required(test.Text, $"tests[{test.Id}].text", limits.MaxTextLength);
        }
        return (matrix, tests.ToList());
    }

    private static string RequestHash(string judgingMatrix, IReadOnlyList<BatchTest> tests)
    {
        var canonical = JsonSerializer.Serialize(new object[] { judgingMatrix, tests.Select(t => new object[] { t.Id, t.Text }) });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32];
    }
}
