using System.Net;
using System.Net.Http.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.BatchScoring.BatchScoreClient;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>
/// What a browser needs from a job's streams: its EventSource cannot send a key header, so a stream token opens the
/// job's events (and nothing else); and the streaming POST names the job before the first test is scored.
/// </summary>
public sealed class BatchScoreEventSourceTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    private FuncTraceApp App => fixture.App;

    [Fact]
    public async Task TheStreamingPostNamesTheJobAndSaysItIsConnectedBeforeAnyTestIsScored()
    {
        var judge = new TaskCompletionSource();
        fixture.Server.Enqueue(FakeReply.Text("""{"score": 7, "reasoning": "held"}""") with { Until = judge.Task });
        using var client = App.ClientWithKey(await App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batchScore") { Content = JsonContent.Create(new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "held" } } }) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var stream = new SseReader(await response.Content.ReadAsStreamAsync());
        var first = await stream.NextAsync(TimeSpan.FromSeconds(10));
        var jobId = response.Headers.GetValues("X-Job-Id").Single();
        var whileHeld = await StatusAsync(client, jobId);
        judge.SetResult();
        var next = await stream.NextEventAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["connected"], first.Comments);
        Assert.Null(first.Data);
        Assert.Equal(0, whileHeld.GetProperty("completed").GetInt32());
        Assert.Equal("1.1", next.Id);
    }

    [Fact]
    public async Task AStreamTokenOpensAJobsEventsWithoutAKeyAndResumesAfterTheLastEventId()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var owner = App.ClientWithKey(await App.CreateKeyAsync(tenant, "ingest"));
        using var reviewer = App.ClientWithKey(await App.CreateKeyAsync(tenant, "review"));
        var jobId = await StartAndWaitAsync(owner, [new { id = 1, text = "want 3" }, new { id = 2, text = "want 9" }]);
        var url = await StreamUrlAsync(reviewer, $"/api/batchScore/{jobId}/events");
        using var anonymous = App.ClientWithKey(null);

        using var response = await anonymous.GetAsync($"{url}&lastEventId=1.2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = SseEvent.Parse(await response.Content.ReadAsStringAsync());
        var whole = await ReadStreamAsync(reviewer, jobId, null);
        Assert.Equal(["2.1", "2.2", "complete"], events.Select(e => e.Id));
        Assert.Equal(whole.Skip(2).Select(e => e.Data.GetRawText()), events.Select(e => e.Data.GetRawText()));
    }

    [Fact]
    public async Task AJobsStreamTokenOpensNeitherAnotherJobsEventsNorTheJobItself()
    {
        using var owner = App.ClientWithKey(await App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        var first = await StartAndWaitAsync(owner, [new { id = 1, text = "want 4" }]);
        var second = await StartAndWaitAsync(owner, [new { id = 1, text = "want 6" }]);
        var url = await StreamUrlAsync(owner, $"/api/batchScore/{first}/events");
        var token = url[(url.IndexOf('=', StringComparison.Ordinal) + 1)..];
        using var anonymous = App.ClientWithKey(null);

        using var otherJob = await anonymous.GetAsync($"/api/batchScore/{second}/events?stream_token={token}");
        using var status = await anonymous.GetAsync($"/api/batchScore/{first}?stream_token={token}");

        var refused = await ApiAssert.ErrorAsync(otherJob, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Contains("not good for this stream", refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var needsKey = await ApiAssert.ErrorAsync(status, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Contains("An API key is required", needsKey.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task<string> StreamUrlAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsJsonAsync("/api/stream-tokens", new { path });
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("url").GetString()!;
    }
}
