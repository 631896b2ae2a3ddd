using System.Net;
using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.BatchScoring;

public sealed class BatchScoreWithoutLlmTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private static readonly object Job = new { judgingMatrix = "m", tests = new[] { new { id = 1, text = "t" } } };

    [Fact]
    public async Task AJsonRequestGets503NamingTheSettingsToSet()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsJsonAsync("/api/batchScore", Job);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        Assert.Contains("FuncTrace__Llm__Endpoint", envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamingRequestEndsWithAnErrorEvent()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batchScore") { Content = JsonContent.Create(Job) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);
        var events = SseEvent.Parse(await response.Content.ReadAsStringAsync());

        var only = Assert.Single(events);
        Assert.Equal("error", only.Data.GetProperty("type").GetString());
        Assert.Contains("FuncTrace__Llm__Model", only.Data.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
