using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// The jobs table. A job is one partition (its id), so a result, its sequence entry and the job's counters are written
/// in one transaction:
/// <list type="bullet">
/// <item><c>job</c>: status, counters, judging matrix, test order, deadline.</item>
/// <item><c>test|{request hash}|{id}</c>: a test's text (and the last error of a failed attempt). The hash keeps two
/// racing requests with one idempotency key but different tests from writing into each other's job.</item>
/// <item><c>result|{id}</c>: the test's outcome, added once; what makes a re-delivered message a no-op.</item>
/// <item><c>seq|{n}</c>: the n-th counted outcome, the order streams replay.</item>
/// </list>
/// A tenant's jobs are listed from <c>t|{tenant}</c> / <c>{inverted creation ticks}|{job id}</c>, newest first. The job
/// row carries the ingest slot it was created in, which counts it in the tenant's <c>jobs_created</c>; the slot's intent
/// names it as <see cref="SlotPartition"/>, so recovery can find it.
/// </summary>
public static partial class BatchJobRows
{
    public const string Job = "job";
    public const string ResultPrefix = "result|";
    public const string SequencePrefix = "seq|";
    public const string SlotPartitionPrefix = "j|";
    private const string TestPrefix = "test|";
    private const int MaxStoredText = 4000;

    public static string Test(string requestHash, long id) => TestPrefix + requestHash + "|" + Number(id);

    public static string Result(long id) => ResultPrefix + Number(id);

    public static string Sequence(long n) => SequencePrefix + Number(n);

    public static string TenantPartition(string tenant) => "t|" + tenant;

    public static string Listing(DateTimeOffset createdAt, string jobId) =>
        Number(DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks) + "|" + jobId;

    /// <summary>Whether <paramref name="key"/> has the shape of a listing row key (what a list cursor holds).</summary>
    public static bool IsListingKey(string key) => ListingKeyPattern().IsMatch(key);

    /// <summary>How a slot's intent names a job it created: <c>j|{tenant}|{job id}</c> (neither holds a <c>|</c>).</summary>
    public static string SlotPartition(string tenant, string jobId) => $"{SlotPartitionPrefix}{tenant}|{jobId}";

    /// <summary>The job id an intent's <see cref="SlotPartition"/> names.</summary>
    public static string JobIdOfSlotPartition(string partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        return partition[(partition.LastIndexOf('|') + 1)..];
    }

    /// <summary>What the views count of a new job: built from its row, when created and in recovery.</summary>
    public static ViewItem ToViewItem(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ViewItem
        {
            Kind = ViewItemKind.Job,
            Tenant = row.GetString("Tenant") ?? string.Empty,
            SortKey = row.PartitionKey,
            Conversation = row.PartitionKey,
            Timestamp = row.GetDateTimeOffset("CreatedAt") ?? default,
        };
    }

    public static TableEntity NewJob(BatchJob job, string judgingMatrix, string slot) => new(job.Id, Job)
    {
        ["Slot"] = slot,
        ["Tenant"] = job.Tenant,
        ["Status"] = job.Status,
        ["JudgingMatrix"] = judgingMatrix,
        ["Total"] = job.Total,
        ["Scored"] = 0,
        ["Failed"] = 0,
        ["TestOrder"] = JsonSerializer.Serialize(job.TestOrder),
        ["RequestHash"] = job.RequestHash,
        ["Queued"] = false,
        ["CreatedAt"] = job.CreatedAt,
        ["Deadline"] = job.Deadline,
    };

    public static BatchJob ToJob(TableEntity row) => new(
        row.PartitionKey,
        row.GetString("Tenant") ?? string.Empty,
        row.GetString("Status") ?? string.Empty,
        row.GetInt32("Total") ?? 0,
        row.GetInt32("Scored") ?? 0,
        row.GetInt32("Failed") ?? 0,
        JsonSerializer.Deserialize<List<long>>(row.GetString("TestOrder") ?? "[]")!,
        row.GetString("RequestHash") ?? string.Empty,
        row.GetBoolean("Queued") ?? false,
        row.GetString("Error"),
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("Deadline") ?? DateTimeOffset.MaxValue,
        row.GetDateTimeOffset("FinishedAt"));

    /// <summary>
    /// The columns <see cref="ToJob"/> reads: the judging matrix (up to 30K characters) stays behind. A projection returns
    /// only what it names, so it names the partition key (the job's id) too.
    /// </summary>
    public static IReadOnlyList<string> JobColumns { get; } =
        ["PartitionKey", "Tenant", "Status", "Total", "Scored", "Failed", "TestOrder", "RequestHash", "Queued", "Error", "CreatedAt", "Deadline", "FinishedAt"];

    public static TableEntity Outcome(string jobId, string rowKey, long testId, int? score, string? reasoning, string? error, long? sequence, DateTimeOffset at) => new(jobId, rowKey)
    {
        ["TestId"] = testId,
        ["Score"] = score,
        ["Reasoning"] = Truncate(reasoning),
        ["Error"] = Truncate(error),
        ["Sequence"] = sequence,
        ["RecordedAt"] = at,
    };

    public static TestOutcome ToOutcome(TableEntity row) => new(
        row.GetInt64("TestId") ?? 0,
        row.GetInt32("Score"),
        row.GetString("Reasoning"),
        row.GetString("Error"),
        row.GetInt64("Sequence") ?? 0);

    public static string? Truncate(string? text) => text is { Length: > MaxStoredText } ? text[..MaxStoredText] : text;

    [GeneratedRegex(@"^\d{19}\|job-[a-z0-9_-]{1,60}$")]
    private static partial Regex ListingKeyPattern();

    private static string Number(long value) => value.ToString("D19", CultureInfo.InvariantCulture);
}
