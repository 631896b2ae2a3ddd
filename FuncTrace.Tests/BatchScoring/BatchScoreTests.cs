using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.BatchScoring.BatchScoreClient;

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
        Assert.Equal(["progress", "result", "progress", "result", "progress", "result", "complete"], events.Select(TypeOf));
        Assert.Equal(["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "complete"], events.Select(e => e.Id));
        Assert.Equal([1, 2, 3], events.Where(e => TypeOf(e) == "progress").Select(e => e.Data.GetProperty("current").GetInt32()));
        Assert.All(events.Where(e => TypeOf(e) == "progress"), e => Assert.Equal(3, e.Data.GetProperty("total").GetInt32()));
        var complete = events[^1].Data.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("id").GetInt64(), r.GetProperty("score").GetInt32()));
        Assert.Equal([(1L, 4), (2L, 8), (3L, 6)], complete);
        Assert.Empty(events[^1].Data.GetProperty("failed").EnumerateArray());
        var streamed = events.Where(e => TypeOf(e) == "result").Select(e => e.Data.GetProperty("result").GetProperty("id").GetInt64()).Order();
        Assert.Equal([1L, 2L, 3L], streamed);
    }

    [Fact]
    public async Task ReconnectingWithLastEventIdResumesWithoutGapsOrRepeats()
    {
        using var client = await IngestClientAsync();
        var jobId = await StartAndWaitAsync(client, Enumerable.Range(1, 4).Select(i => (object)new { id = i, text = $"want {i + 2}" }).ToArray());

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
        var jobId = await StartAndWaitAsync(client, [new { id = 1, text = "want 9" }, new { id = 2, text = "garbled once more" }, new { id = 3, text = "fail for good" }]);

        var status = await StatusAsync(client, jobId);
        var stream = await ReadStreamAsync(client, jobId, null);

        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(1, status.GetProperty("scored").GetInt32());
        Assert.Equal(2, status.GetProperty("failed").GetInt32());
        var failures = status.GetProperty("failures").EnumerateArray().ToDictionary(f => f.GetProperty("id").GetInt64(), f => f.GetProperty("error").GetString()!);
        Assert.Equal([2L, 3L], failures.Keys.Order());
        Assert.StartsWith("Gave up after the queue's last attempt: ", failures[3], StringComparison.Ordinal);
        Assert.Contains("model error (status 500)", failures[3], StringComparison.Ordinal);
        Assert.Contains("holds no score", failures[2], StringComparison.Ordinal);
        Assert.Equal("Judged: want 9", status.GetProperty("results")[0].GetProperty("reasoning").GetString());
        var complete = stream[^1].Data;
        Assert.Equal("complete", TypeOf(stream[^1]));
        Assert.Equal([2L, 3L], complete.GetProperty("failed").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).Order());
        // host.json's maxDequeueCount (3 here) attempts, then the poison queue: no more, no fewer.
        Assert.Equal(3, fixture.Server.Requests.Count(r => r.Messages.Any(m => m.Content == "fail for good")));
        Assert.Equal(3, fixture.Server.Requests.Count(r => r.Messages.Any(m => m.Content == "garbled once more")));
    }

    [Fact]
    public async Task CancellingAJobStopsTheRestAndEndsItsStreamWithAnError()
    {
        await using var patient = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"));
        using var client = patient.ClientWithKey(await patient.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var jobId = await StartAsync(client, new { judgingMatrix = "m", tests = Enumerable.Range(1, 40).Select(i => new { id = i, text = "slow want 5" }) });

        using var cancel = await client.DeleteAsync($"/api/batchScore/{jobId}");
        var cancelled = await ApiAssert.JsonAsync(cancel, HttpStatusCode.OK);
        var stream = await ReadStreamAsync(client, jobId, null);
        var status = await StatusAsync(client, jobId);

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("error", TypeOf(stream[^1]));
        Assert.Equal("The job was cancelled.", stream[^1].Data.GetProperty("error").GetString());
        Assert.Equal("cancelled", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("completed").GetInt32() < 40);
        using var again = await client.DeleteAsync($"/api/batchScore/{jobId}");
        Assert.Equal("cancelled", (await ApiAssert.JsonAsync(again, HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task WhenTheJobOutlastsTheWaitThePostAnswers202WithWhereToFollowIt()
    {
        await using var patient = await fixture.StartAppAsync(("FuncTrace:BatchScore:WaitSeconds", "0"));
        using var client = patient.ClientWithKey(await patient.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "want 3" } } });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
        var jobId = body.GetProperty("jobId").GetString();
        Assert.Equal($"/api/batchScore/{jobId}", body.GetProperty("statusUrl").GetString());
        Assert.Equal($"/api/batchScore/{jobId}/events", body.GetProperty("eventsUrl").GetString());
        Assert.Equal($"/api/batchScore/{jobId}", response.Headers.Location?.ToString());
        await Eventually.HoldsAsync("the job completes", async () => (await StatusAsync(client, jobId!)).GetProperty("status").GetString() == "completed");
    }

    [Fact]
    public async Task ARetriedPostWithTheSameIdempotencyKeyReturnsTheFirstJobAndScoresNothingTwice()
    {
        using var client = await IngestClientAsync();
        var body = new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "want 4 idempotent" }, new { id = 2, text = "want 6 idempotent" } } };

        using var first = await PostAsync(client, body, "job-key-1");
        using var second = await PostAsync(client, body, "job-key-1");
        using var other = await PostAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "another" } } }, "job-key-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(first.Headers.GetValues("X-Job-Id").Single(), second.Headers.GetValues("X-Job-Id").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        await ApiAssert.ErrorAsync(other, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(2, fixture.Server.Requests.Count(r => r.Messages.Any(m => m.Content.Contains("idempotent", StringComparison.Ordinal))));
        var list = await client.GetFromJsonAsync<JsonElement>("/api/batchScore");
        Assert.Equal([first.Headers.GetValues("X-Job-Id").Single()], list.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
    }

    [Fact]
    public async Task AJobWhoseCreationCheckCannotBeQueuedIsNeverCreated()
    {
        await using var broken = await fixture.StartAppAsync();
        using var client = broken.ClientWithKey(await broken.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        await broken.Queue("score-check").DeleteAsync();
        var marker = Guid.NewGuid().ToString("N");

        using var response = await PostAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = marker } } }, "never-visible");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        var list = await client.GetFromJsonAsync<JsonElement>("/api/batchScore");
        Assert.Empty(list.GetProperty("jobs").EnumerateArray());
        Assert.DoesNotContain(fixture.Server.Requests, r => r.Messages.Any(m => m.Content == marker));
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

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("'tests' holds 51 tests; the most one job takes is 50.", envelope.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIsUnsupportedOrInvalid()
    {
        using var client = await IngestClientAsync();

        using var form = await client.PostAsync("/api/batchScore", new StringContent("tests=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        using var broken = await client.PostAsync("/api/batchScore", TenantClients.Json("""{"judgingMatrix": "m", "tests": ["""));
        using var badKey = await PostAsync(client, new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "t" } } }, new string('k', 256));

        await ApiAssert.ErrorAsync(form, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await ApiAssert.ErrorAsync(broken, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var envelope = await ApiAssert.ErrorAsync(badKey, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("Idempotency-Key", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task JobsAreTheirTenantsAloneAndOnlyIngestKeysStartOrCancelThem()
    {
        using var other = await IngestClientAsync();
        using var anonymous = App.ClientWithKey(null);
        var tenant = FuncTraceApp.NewTenant();
        using var owner = App.ClientWithKey(await App.CreateKeyAsync(tenant, "ingest"));
        using var reviewer = App.ClientWithKey(await App.CreateKeyAsync(tenant, "review"));
        var jobId = await StartAndWaitAsync(owner, [new { id = 1, text = "want 5" }]);

        using var status = await other.GetAsync($"/api/batchScore/{jobId}");
        using var events = await other.GetAsync($"/api/batchScore/{jobId}/events");
        using var cancel = await other.DeleteAsync($"/api/batchScore/{jobId}");
        using var unknown = await owner.GetAsync("/api/batchScore/job-nope");
        using var notAnId = await owner.GetAsync("/api/batchScore/t%7Cacme");
        using var unknownEvents = await owner.GetAsync("/api/batchScore/job-nope/events");
        using var unknownCancel = await owner.DeleteAsync("/api/batchScore/job-nope");
        using var noKey = await anonymous.PostAsync("/api/batchScore", TenantClients.Json("{}"));
        using var reviewerStarts = await reviewer.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "t" } } });
        using var reviewerCancels = await reviewer.DeleteAsync($"/api/batchScore/{jobId}");
        var reviewersList = await reviewer.GetFromJsonAsync<JsonElement>("/api/batchScore");
        var reviewersView = await StatusAsync(reviewer, jobId);
        var othersList = await other.GetFromJsonAsync<JsonElement>("/api/batchScore");

        await ApiAssert.ErrorAsync(status, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(events, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(cancel, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(notAnId, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(unknownEvents, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(unknownCancel, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(noKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(reviewerStarts, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(reviewerCancels, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal([jobId], reviewersList.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("jobId").GetString()));
        Assert.Equal("completed", reviewersView.GetProperty("status").GetString());
        Assert.Empty(othersList.GetProperty("jobs").EnumerateArray());
    }

    private async Task<HttpClient> IngestClientAsync() => App.ClientWithKey(await App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
}
