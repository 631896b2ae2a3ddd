using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;
using Xunit.Abstractions;
using static FuncTrace.Tests.BatchScoring.BatchScoreClient;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>
/// The local host as a real process, killed with SIGKILL in the middle of a job and started again on the same storage:
/// a job must always end (issue 12), and no test may be counted twice.
/// </summary>
public sealed class KilledHostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Tests = 1000;
    private const int JobTimeoutSeconds = 240;
    private readonly string _prefix = TestStorage.NewPrefix();
    private FakeOpenAiServer? _judge;

    private FakeOpenAiServer Judge => _judge ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _judge = await FakeOpenAiServer.StartAsync();
        _judge.Fallback = _ => FakeReply.Text("""{"score": 7, "reasoning": "fine"}""");
    }

    public async Task DisposeAsync()
    {
        if (_judge is not null)
        {
            await _judge.DisposeAsync();
        }
    }

    [Fact]
    public async Task AJobWhoseCreatorIsKilledMidEnqueueStillCompletesAndARetryWithItsKeyFollowsIt()
    {
        // The first host scores nothing, so the queue holds exactly what its creator sent before it died; two sends at a
        // time keep the enqueue long enough (about a second on Azurite) for the kill to land in the middle of it.
        var first = await LocalHostProcess.StartAsync(Settings(("LocalHost:QueueTriggers", "false"), ("FuncTrace:BatchScore:EnqueueConcurrency", "2")));
        string key;
        await using (first)
        {
            key = await first.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
            using var client = first.ClientWithKey(key);
            var posting = PostAsync(client, Job(), "killed-mid-enqueue");
            await Until(async () => await QueuedAsync() > 0);
            first.Kill();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => posting);
        }

        var queued = await QueuedAsync();
        var (jobId, stuck) = await OnlyJobAsync();
        Assert.InRange(queued, 1, Tests - 1);
        Assert.Equal("running", stuck.GetString("Status"));
        Assert.False(stuck.GetBoolean("Queued"));

        var restarted = System.Diagnostics.Stopwatch.StartNew();
        await using var second = await LocalHostProcess.StartAsync(Settings());
        using var again = second.ClientWithKey(key);
        using var retry = await PostAsync(again, Job(), "killed-mid-enqueue");
        Assert.Contains(retry.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Accepted });
        Assert.Equal(jobId, retry.Headers.GetValues("X-Job-Id").Single());

        var status = await EndedAsync(again, jobId);
        output.WriteLine($"{queued} of {Tests} messages queued at the kill; the job ended {restarted.Elapsed.TotalSeconds:F1} s after the restart began; {Judge.Requests.Count} judge calls");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(Tests, status.GetProperty("scored").GetInt32());
        Assert.Equal(Enumerable.Range(1, Tests).Select(i => (long)i), status.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        var stream = await ReadStreamAsync(again, jobId, null);
        Assert.Equal((2 * Tests) + 1, stream.Count);
        Assert.Equal("complete", stream[^1].Id);
    }

    [Fact]
    public async Task AHostKilledMidScoringLeavesAJobTheNextHostFinishesCountingEachTestOnce()
    {
        // Slow answers and a short message lease: the kill catches tests mid-call, and their messages come back soon.
        Judge.Latency = TimeSpan.FromMilliseconds(100);
        var settings = Settings(("LocalHost:MessageLease", "00:00:03"), ("FuncTrace:BatchScore:WaitSeconds", "0"));
        var first = await LocalHostProcess.StartAsync(settings);
        string key, jobId;
        await using (first)
        {
            key = await first.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
            using var client = first.ClientWithKey(key);
            jobId = await StartAsync(client, new { judgingMatrix = "m", tests = Enumerable.Range(1, 200).Select(i => new { id = i, text = $"test {i}" }) });
            await Until(async () => (await StatusAsync(client, jobId)).GetProperty("completed").GetInt32() >= 20);
            first.Kill();
        }
        var stopped = new TableServiceClient(TestStorage.ConnectionString).GetTableClient(_prefix + "jobs");
        var atKill = (await stopped.GetEntityAsync<TableEntity>(jobId, "job")).Value.GetInt32("Scored");

        var restarted = System.Diagnostics.Stopwatch.StartNew();
        await using var second = await LocalHostProcess.StartAsync(settings);
        using var again = second.ClientWithKey(key);

        var status = await EndedAsync(again, jobId);
        output.WriteLine($"{atKill} of 200 scored at the kill; the job ended {restarted.Elapsed.TotalSeconds:F1} s after the restart began; {Judge.Requests.Count} judge calls");
        Assert.InRange(atKill ?? 0, 20, 199);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(200, status.GetProperty("completed").GetInt32());
        Assert.Equal(200, status.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).Distinct().Count());
    }

    private Dictionary<string, string?> Settings(params (string Name, string? Value)[] extra)
    {
        var settings = LocalHostProcess.BaseSettings(_prefix);
        foreach (var (name, value) in Judge.AppSettings(
            ("FuncTrace:BatchScore:RecoverAfterSeconds", "6"),
            ("FuncTrace:BatchScore:JobTimeoutSeconds", JobTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("FuncTrace:BatchScore:PollIntervalMilliseconds", "200"),
            ("AzureFunctionsJobHost:extensions:queues:maxPollingInterval", "00:00:00.5")).Concat(extra.ToDictionary(e => e.Name, e => e.Value)))
        {
            settings[name] = value;
        }
        return settings;
    }

    private static object Job() => new { judgingMatrix = "m", tests = Enumerable.Range(1, Tests).Select(i => new { id = i, text = $"test {i}" }) };

    private async Task<int> QueuedAsync() =>
        (await new QueueClient(TestStorage.ConnectionString, _prefix + "-score").GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>The one job row in this test's own jobs table.</summary>
    private async Task<(string JobId, TableEntity Row)> OnlyJobAsync()
    {
        var table = new TableServiceClient(TestStorage.ConnectionString).GetTableClient(_prefix + "jobs");
        var listing = await table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {"job"}")).ToListAsync();
        var row = Assert.Single(listing);
        return (row.PartitionKey, row);
    }

    /// <summary>Waits for the job to end — before its deadline, or the deadline ended it and the status says so.</summary>
    private static async Task<JsonElement> EndedAsync(HttpClient client, string jobId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(JobTimeoutSeconds + 30);
        while (true)
        {
            var status = await StatusAsync(client, jobId);
            if (status.GetProperty("status").GetString() != "running")
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Job {jobId} was still running after its {JobTimeoutSeconds} s.");
            await Task.Delay(250);
        }
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 60 s.");
            await Task.Delay(1);
        }
    }
}
