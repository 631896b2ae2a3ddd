using System.Net;
using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.BatchScoring.BatchScoreClient;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>A browser's EventSource cannot send a key header: a stream token opens the job's events, and nothing else.</summary>
public sealed class BatchScoreStreamTokenTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    private FuncTraceApp App => fixture.App;

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
        Assert.Equal(["2.1", "2.2", "complete"], events.Select(e => e.Id));
        Assert.Equal(9, events[1].Data.GetProperty("result").GetProperty("score").GetInt32());
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
