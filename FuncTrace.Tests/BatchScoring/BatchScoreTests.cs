using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Domain.BatchScoring;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.BatchScoring;

public sealed class BatchScoreTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    private FuncTraceApp App => fixture.App;

    [Fact]
    public async Task ScoresComeBackInTheOrderOfTheTestsClampedToOneToTen()
    {
        using var client = await IngestClientAsync();
        var tests = new[] { (5, "want 7"), (3, "want 15"), (9, "want 0"), (1, "want 10"), (2, "want 3") };

        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "Be strict.", tests = tests.Select(t => new { id = t.Item1, text = t.Item2 }) });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var results = body.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("id").GetInt64(), r.GetProperty("score").GetInt32())).ToList();
        Assert.Equal([(5L, 7), (3L, 10), (9L, 1), (1L, 10), (2L, 3)], results);
        Assert.Contains(fixture.Server.Requests, r => r.Messages.Any(m => m.Role == "system" && m.Content.Contains("Be strict.", StringComparison.Ordinal)));
        Assert.Contains(fixture.Server.Requests, r => r.ResponseFormat is { } format && format.GetRawText().Contains("json_schema", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheStreamSendsProgressAndResultForEachTestThenComplete()
    {
        using var client = await IngestClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batchScore")
        {
            Content = JsonContent.Create(new { judgingMatrix = "rubric", tests = new[] { new { id = 1, text = "want 4" }, new { id = 2, text = "want 8" }, new { id = 3, text = "want 6" } } }),
        };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);
        var events = SseEvent.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["progress", "result", "progress", "result", "progress", "result", "complete"], events.Select(e => e.Data.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.Equal([1, 2, 3], events.Where(e => e.Data.GetProperty("type").GetString() == "progress").Select(e => e.Data.GetProperty("current").GetInt32()));
        Assert.All(events.Where(e => e.Data.GetProperty("type").GetString() == "progress"), e => Assert.Equal(3, e.Data.GetProperty("total").GetInt32()));
        var complete = events[^1].Data.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("id").GetInt64(), r.GetProperty("score").GetInt32()));
        Assert.Equal([(1L, 4), (2L, 8), (3L, 6)], complete);
        var streamed = events.Where(e => e.Data.GetProperty("type").GetString() == "result").Select(e => e.Data.GetProperty("result").GetProperty("id").GetInt64()).Order();
        Assert.Equal([1L, 2L, 3L], streamed);
    }

    [Fact]
    public async Task ReconnectingWithLastEventIdResumesWithoutGapsOrRepeats()
    {
        using var client = await IngestClientAsync();
        var jobId = await StartAndWaitAsync(client, Enumerable.Range(1, 4).Select(i => new { id = i, text = $"want {i + 2}" }).ToArray());

        var afterSecondResult = await ReadStreamAsync(client, jobId, "2.2");
        var afterSecondProgress = await ReadStreamAsync(client, jobId, "2.1");
        var fromStart = await ReadStreamAsync(client, jobId, null);
        using var afterComplete = await SendStreamRequestAsync(client, jobId, "complete");

        Assert.Equal(["3.1", "3.2", "4.1", "4.2", "complete"], afterSecondResult.Select(e => e.Id));
        Assert.Equal(["2.2", "3.1", "3.2", "4.1", "4.2", "complete"], afterSecondProgress.Select(e => e.Id));
        Assert.Equal(["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "complete"], fromStart.Select(e => e.Id));
        Assert.Equal(HttpStatusCode.NoContent, afterComplete.StatusCode);
        using var pastTheEnd = await SendStreamRequestAsync(client, jobId, "9223372036854775807.2");
        await ApiAssert.ErrorAsync(pastTheEnd, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task GarbledJudgeOutputIsRetriedAndAPersistentFailureEndsAsAFailedTestNotAHang()
    {
        using var client = await IngestClientAsync();
        var jobId = await StartAndWaitAsync(client, [new { id = 1, text = "want 9" }, new { id = 2, text = "garbled" }, new { id = 3, text = "fail" }]);

        var status = await client.GetFromJsonAsync<JsonElement>($"/api/batchScore/{jobId}");
        var stream = await ReadStreamAsync(client, jobId, null);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(1, status.GetProperty("scored").GetInt32());
        Assert.Equal(2, status.GetProperty("failed").GetInt32());
        var failures = status.GetProperty("failures").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetInt64(), f => f.GetProperty("error").GetString());
        Assert.Equal([2L, 3L], failures.Keys.Order());
        Assert.Contains("500", failures[3], StringComparison.Ordinal);
        Assert.Equal("Judged: want 9", status.GetProperty("results")[0].GetProperty("reasoning").GetString());
        var complete = stream[^1].Data;
        Assert.Equal("complete", complete.GetProperty("type").GetString());
        Assert.Equal([2L, 3L], complete.GetProperty("failed").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).Order());
        var poison = await App.Storage.Queue(StorageNames.PoisonQueue(BatchJobService.QueueName)).PeekMessagesAsync(32);
        Assert.Contains(poison, m => m.Text.Contains(jobId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARedeliveredMessageChangesNothing()
    {
        using var client = await IngestClientAsync();
        var jobId = await StartAndWaitAsync(client, [new { id = 1, text = "want 6" }, new { id = 2, text = "want 2" }]);
        var requestsBefore = fixture.Server.Requests.Count;

        await App.Storage.Queue(BatchJobService.QueueName).SendMessageAsync(JsonSerializer.Serialize(new ScoreMessage(jobId, 1)));
        await App.Storage.Queue(BatchJobService.QueueName).SendMessageAsync(JsonSerializer.Serialize(new ScoreMessage(jobId, 1)));
        await WaitUntilAsync(async () => await App.Storage.Queue(BatchJobService.QueueName).GetApproximateMessageCountAsync() == 0);
        var jobs = App.Services.GetService(typeof(BatchJobService)) as BatchJobService;
        await jobs!.RecordAsync(jobId, 2, new Domain.Llm.JudgeScore(9, "a late duplicate"), null);

        var status = await client.GetFromJsonAsync<JsonElement>($"/api/batchScore/{jobId}");
        Assert.Equal(2, status.GetProperty("completed").GetInt32());
        Assert.Equal([6, 2], status.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("score").GetInt32()));
        Assert.Equal(2, await CountRowsAsync(jobId, "seq|"));
        Assert.Equal(requestsBefore, fixture.Server.Requests.Count);
    }

    [Fact]
    public async Task CancellingAJobStopsTheRestAndEndsItsStreamWithAnError()
    {
        using var patient = FuncTraceApp.WithSettings(WithSettings(("FuncTrace:BatchScore:WaitSeconds", "0")));
        using var client = patient.ClientWithKey(await patient.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        using var start = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = Enumerable.Range(1, 40).Select(i => new { id = i, text = "slow want 5" }) });
        var jobId = (await ApiAssert.JsonAsync(start, HttpStatusCode.Accepted)).GetProperty("jobId").GetString()!;

        using var cancel = await client.DeleteAsync($"/api/batchScore/{jobId}");
        var cancelled = await ApiAssert.JsonAsync(cancel, HttpStatusCode.OK);
        var stream = await ReadStreamAsync(client, jobId, null);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/batchScore/{jobId}");

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("error", stream[^1].Data.GetProperty("type").GetString());
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("completed").GetInt32() < 40);
    }

    [Fact]
    public async Task WhenTheJobOutlastsTheWaitThePostAnswers202WithWhereToFollowIt()
    {
        using var patient = FuncTraceApp.WithSettings(WithSettings(("FuncTrace:BatchScore:WaitSeconds", "0")));
        using var client = patient.ClientWithKey(await patient.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "want 3" } } });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
        var jobId = body.GetProperty("jobId").GetString();
        Assert.Equal($"/api/batchScore/{jobId}", body.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/batchScore/{jobId}/events", body.GetProperty("eventsUrl").GetString());
        await WaitUntilAsync(async () => (await client.GetFromJsonAsync<JsonElement>($"/api/batchScore/{jobId}")).GetProperty("status").GetString() == "completed");
    }

    [Fact]
    public async Task ARetriedPostWithTheSameIdempotencyKeyReturnsTheFirstJobAndScoresNothingTwice()
    {
        using var client = await IngestClientAsync();
        var body = new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "want 4 idempotent" }, new { id = 2, text = "want 6 idempotent" } } };

        using var first = await PostWithKeyAsync(client, body, "job-key-1");
        using var second = await PostWithKeyAsync(client, body, "job-key-1");
        using var other = await PostWithKeyAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "another" } } }, "job-key-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(first.Headers.GetValues("X-Job-Id").Single(), second.Headers.GetValues("X-Job-Id").Single());
        Assert.Equal(
            (await first.Content.ReadAsStringAsync()),
            (await second.Content.ReadAsStringAsync()));
        await ApiAssert.ErrorAsync(other, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(2, fixture.Server.Requests.Count(r => r.Messages.Any(m => m.Content.Contains("idempotent", StringComparison.Ordinal))));
        var status = await client.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.Equal(1, status.GetProperty("jobs_created").GetInt64());
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batchScore") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task AJobWhoseWorkCannotBeQueuedEndsFailedInsteadOfRunningForever()
    {
        using var broken = FuncTraceApp.WithSettings(WithSettings(("FuncTrace:Worker:Enabled", "false")));
        using var client = broken.ClientWithKey(await broken.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        await broken.Storage.Queue(BatchJobService.QueueName).DeleteIfExistsAsync();

        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "want 3" } } });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        var jobs = await CountJobsAsync(broken, "failed");
        Assert.Equal(1, jobs);
    }

    [Theory]
    [InlineData("""{"tests":[{"id":1,"text":"a"}]}""", "judgingMatrix")]
    [InlineData("""{"judgingMatrix":"","tests":[{"id":1,"text":"a"}]}""", "judgingMatrix")]
    [InlineData("""{"judgingMatrix":5,"tests":[{"id":1,"text":"a"}]}""", "judgingMatrix")]
    [InlineData("""{"judgingMatrix":"m"}""", "tests")]
    [InlineData("""{"judgingMatrix":"m","tests":[]}""", "tests")]
    [InlineData("""{"judgingMatrix":"m","tests":{"id":1}}""", "tests")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":0,"text":"a"}]}""", "tests.id")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":-3,"text":"a"}]}""", "tests.id")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":1.5,"text":"a"}]}""", "tests.id")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":"1","text":"a"}]}""", "tests.id")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":1,"text":"a"},{"id":1,"text":"b"}]}""", "tests.id")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":1,"text":""}]}""", "tests[1].text")]
    [InlineData("""{"judgingMatrix":"m","tests":[{"id":1}]}""", "tests.text")]
    [InlineData("""{"judgingMatrix":"m","tests":["a"]}""", "tests")]
    public async Task InvalidJobsAreRejectedNamingTheField(string json, string field)
    {
        using var client = await IngestClientAsync();

        using var response = await client.PostAsync("/api/batchScore", TenantClients.Json(json));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task MoreTestsThanTheMaximumAreRejected()
    {
        using var client = await IngestClientAsync();

        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = Enumerable.Range(1, 51).Select(i => new { id = i, text = "t" }) });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task JobsAreTheirTenantsAloneAndNeedAKey()
    {
        using var owner = await IngestClientAsync();
        using var other = await IngestClientAsync();
        using var anonymous = App.ClientWithKey(null);
        var jobId = await StartAndWaitAsync(owner, [new { id = 1, text = "want 5" }]);

        using var status = await other.GetAsync($"/api/batchScore/{jobId}");
        using var events = await other.GetAsync($"/api/batchScore/{jobId}/events");
        using var cancel = await other.DeleteAsync($"/api/batchScore/{jobId}");
        using var unknown = await owner.GetAsync("/api/batchScore/job-nope");
        using var noKey = await anonymous.PostAsync("/api/batchScore", TenantClients.Json("{}"));

        await ApiAssert.ErrorAsync(status, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(events, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(cancel, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(noKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        var ownerStatus = await owner.GetFromJsonAsync<JsonElement>("/api/status");
        var otherStatus = await other.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.Equal(1, ownerStatus.GetProperty("jobs_created").GetInt64());
        Assert.Equal(0, otherStatus.GetProperty("jobs_created").GetInt64());
    }

    private Dictionary<string, string?> WithSettings(params (string Name, string? Value)[] extra)
    {
        var settings = fixture.Server.AppSettings(extra);
        foreach (var (name, value) in BatchScoreAppFixture.QuickQueueSettings())
        {
            settings.TryAdd(name, value);
        }
        return settings;
    }

    private async Task<HttpClient> IngestClientAsync() => App.ClientWithKey(await App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

    /// <summary>Runs a job to its end through the waiting POST; its id comes in the X-Job-Id header.</summary>
    private static async Task<string> StartAndWaitAsync(HttpClient client, object[] tests)
    {
        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "rubric", tests });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Job-Id").Single();
    }

    private static async Task<HttpResponseMessage> SendStreamRequestAsync(HttpClient client, string jobId, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/batchScore/{jobId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        return await client.SendAsync(request);
    }

    private static async Task<IReadOnlyList<SseEvent>> ReadStreamAsync(HttpClient client, string jobId, string? lastEventId)
    {
        using var response = await SendStreamRequestAsync(client, jobId, lastEventId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return SseEvent.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<int> CountRowsAsync(string jobId, string prefix)
    {
        var count = 0;
        var filter = TableFilter.And(TableFilter.Create($"PartitionKey eq {jobId}"), TableFilter.Create($"RowKey ge {prefix}"), TableFilter.Create($"RowKey lt {prefix + "~"}"));
        await foreach (var row in App.Storage.Table(StorageNames.JobsTable).QueryAsync(filter))
        {
            count++;
        }
        return count;
    }

    private static async Task<int> CountJobsAsync(FuncTraceApp app, string status)
    {
        var count = 0;
        await foreach (var row in app.Storage.Table(StorageNames.JobsTable).QueryAsync(TableFilter.Create($"RowKey eq {"job"} and Status eq {status}")))
        {
            count++;
        }
        return count;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 30 s.");
            await Task.Delay(100);
        }
    }
}
