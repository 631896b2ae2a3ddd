using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static FuncTrace.Tests.BatchScoring.BatchScoreClient;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>How jobs are listed, recovered, ended and recorded, each on an app of its own.</summary>
public sealed class BatchJobLifecycleTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    [Fact]
    public async Task TheListShowsTheTenantsJobsNewestFirstAPageAtATime()
    {
        await using var app = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var ids = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            ids.Add(await StartAsync(client, new { judgingMatrix = "m", tests = Enumerable.Range(1, i).Select(n => new { id = n, text = $"want {n}" }) }));
        }

        var first = await client.GetFromJsonAsync<JsonElement>("/api/batchScore?limit=2");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/batchScore?limit=2&cursor={cursor}");

        Assert.Equal([ids[2], ids[1]], first.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        Assert.Equal([ids[0]], second.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var newest = first.GetProperty("jobs")[0];
        Assert.Equal(3, newest.GetProperty("total").GetInt32());
        Assert.Equal($"/api/batchScore/{ids[2]}", newest.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/batchScore/{ids[2]}/events", newest.GetProperty("eventsUrl").GetString());
        Assert.Contains(newest.GetProperty("status").GetString(), new[] { "running", "completed" });
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not*base64", "cursor")]
    [InlineData("cursor=eA", "cursor")]
    public async Task AListWithABadLimitOrCursorIsRejectedNamingIt(string query, string field)
    {
        using var client = fixture.App.ClientWithKey(await fixture.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.GetAsync($"/api/batchScore?{query}");

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AJobPastItsDeadlineEndsFailedForWhoeverReadsIt()
    {
        await using var app = await fixture.StartAppAsync(
            ("FuncTrace:BatchScore:WaitSeconds", "0"), ("FuncTrace:BatchScore:RecoverAfterSeconds", "6"),
            ("FuncTrace:BatchScore:JobTimeoutSeconds", "8"), ("LocalHost:QueueTriggers", "false"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var body = new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "want 1" }, new { id = 2, text = "want 2" } } };
        var jobId = await StartAsync(client, body, "deadline-key");

        await Eventually.HoldsAsync("the job ends at its deadline", async () => (await StatusAsync(client, jobId)).GetProperty("status").GetString() != "running");
        var status = await StatusAsync(client, jobId);
        var stream = await ReadStreamAsync(client, jobId, null);
        using var retry = await PostAsync(client, body, "deadline-key");

        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal("The job did not finish within 8 s; 0 of 2 tests were scored.", status.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.String, status.GetProperty("finishedAt").ValueKind);
        Assert.Equal(["error"], stream.Select(TypeOf));
        Assert.Equal("error", stream[0].Id);
        Assert.Equal(status.GetProperty("error").GetString(), stream[0].Data.GetProperty("error").GetString());
        var conflict = await ApiAssert.ErrorAsync(retry, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Contains("did not finish within 8 s", conflict.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestsTheCreatorCouldNotQueueAreQueuedByTheCreationCheck()
    {
        await using var app = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"), ("FuncTrace:BatchScore:RecoverAfterSeconds", "6"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var marker = Guid.NewGuid().ToString("N");
        await app.Queue("score").DeleteAsync();

        var jobId = await StartAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = $"want 7 {marker}" }, new { id = 2, text = $"want 3 {marker}" } } });
        var before = await StatusAsync(client, jobId);
        await app.Queue("score").CreateAsync();

        await Eventually.HoldsAsync("the recovered job completes", async () => (await StatusAsync(client, jobId)).GetProperty("status").GetString() == "completed");
        var status = await StatusAsync(client, jobId);
        Assert.Equal(0, before.GetProperty("completed").GetInt32());
        Assert.Equal([7, 3], status.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetInt32()));
        Assert.Equal(2, fixture.Server.Requests.Count(r => r.Messages.Any(m => m.Content.Contains(marker, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task ARedeliveredMessageOrALateDuplicateChangesNothing()
    {
        await using var app = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"), ("LocalHost:QueueTriggers", "false"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var marker = Guid.NewGuid().ToString("N");
        var jobId = await StartAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = $"want 6 {marker}" }, new { id = 2, text = "want 2" } } });
        var functions = ActivatorUtilities.CreateInstance<ScoreQueueFunctions>(app.Services);
        var store = app.Services.GetRequiredService<BatchJobStore>();

        await functions.Score(new ScoreMessage(jobId, 1).ToJson(), default);
        await functions.Score(new ScoreMessage(jobId, 1).ToJson(), default);
        await Task.WhenAll(Enumerable.Range(1, 8).Select(n => store.RecordAsync(jobId, 2, new JudgeScore(n, $"racer {n}"), null)));
        await functions.RecordPoisoned(new ScoreMessage(jobId, 1).ToJson(), default);
        await functions.Score(new ScoreMessage(jobId, 2).ToJson(), default);

        var status = await StatusAsync(client, jobId);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(2, status.GetProperty("completed").GetInt32());
        Assert.Equal(2, status.GetProperty("scored").GetInt32());
        Assert.Equal(6, status.GetProperty("results")[0].GetProperty("score").GetInt32());
        Assert.Single(fixture.Server.Requests, r => r.Messages.Any(m => m.Content.Contains(marker, StringComparison.Ordinal)));
        Assert.Equal(["seq|0000000000000000001", "seq|0000000000000000002"], await RowKeysAsync(app, jobId, "seq|"));
    }

    [Fact]
    public async Task AnOutcomeStoredButNotCountedBeforeACrashIsCountedByTheRedeliveredMessageWithoutJudgingAgain()
    {
        await using var app = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"), ("LocalHost:QueueTriggers", "false"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var marker = Guid.NewGuid().ToString("N");
        var jobId = await StartAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = $"want 2 {marker}" } } });
        // What RecordAsync's first step leaves when the process dies before its second.
        await app.Table("jobs").AddEntityAsync(BatchJobRows.Outcome(jobId, BatchJobRows.Result(1), 1, 9, "judged before the crash", null, null, DateTimeOffset.UtcNow));
        var functions = ActivatorUtilities.CreateInstance<ScoreQueueFunctions>(app.Services);

        await functions.Score(new ScoreMessage(jobId, 1).ToJson(), default);

        var status = await StatusAsync(client, jobId);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(9, status.GetProperty("results")[0].GetProperty("score").GetInt32());
        Assert.Equal("judged before the crash", status.GetProperty("results")[0].GetProperty("reasoning").GetString());
        Assert.DoesNotContain(fixture.Server.Requests, r => r.Messages.Any(m => m.Content.Contains(marker, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task APoisonedMessageIsRecordedAsAFailedTestAndTheJobCompletes()
    {
        await using var app = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"), ("LocalHost:QueueTriggers", "false"));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var jobId = await StartAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 4, text = "want 8" } } });
        var functions = ActivatorUtilities.CreateInstance<ScoreQueueFunctions>(app.Services);

        await functions.RecordPoisoned(new ScoreMessage(jobId, 4).ToJson(), default);
        await functions.RecordPoisoned("not a score message", default);

        var status = await StatusAsync(client, jobId);
        Assert.Equal("completed", status.GetProperty("status").GetString());
        var failure = Assert.Single(status.GetProperty("failures").EnumerateArray());
        Assert.Equal(4, failure.GetProperty("id").GetInt64());
        Assert.Equal("Gave up after the queue's last attempt; no attempt finished.", failure.GetProperty("error").GetString());
    }

    private static async Task<List<string>> RowKeysAsync(FuncTraceApp app, string jobId, string prefix)
    {
        var keys = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {jobId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        await foreach (var row in app.Table("jobs").QueryAsync<TableEntity>(filter, select: ["RowKey"]))
        {
            keys.Add(row.RowKey);
        }
        return keys;
    }
}
