using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Functions.Sessions;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sessions;

/// <summary>The live tail, with a short heartbeat and poll so the tests need not wait long.</summary>
public sealed class SessionStreamTests(SessionStreamTests.FastStreamApp app) : IClassFixture<SessionStreamTests.FastStreamApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public sealed class FastStreamApp() : FuncTraceApp(new Dictionary<string, string?>
    {
        ["FuncTrace:Sessions:HeartbeatSeconds"] = "0.3",
        ["FuncTrace:Sessions:PollMilliseconds"] = "50",
    });

    [Fact]
    public async Task EventsWrittenAfterTheStreamStartsArriveInOrderWithTheirSequenceAsId()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = await CreateSessionAsync(tenant);
        await PostAsync(tenant, id, 0);

        using var response = await OpenStreamAsync(tenant, id, lastEventId: null);
        using var stream = new SseReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(["connected"], (await stream.NextAsync(Patience)).Comments);
        await PostAsync(tenant, id, 1);
        await PostAsync(tenant, id, 2);

        var first = await stream.NextEventAsync(Patience);
        var second = await stream.NextEventAsync(Patience);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["2", "3"], new List<string?> { first.Id, second.Id });
        var bodies = new[] { first, second }.Select(m => JsonDocument.Parse(m.Data!).RootElement).ToList();
        Assert.Equal([1, 2], bodies.Select(b => b.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.Equal([2L, 3L], bodies.Select(b => b.GetProperty("sequence").GetInt64()));
        Assert.Equal(id, bodies[0].GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task ResumingWithLastEventIdDeliversEveryLaterEventOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = await CreateSessionAsync(tenant);
        for (var i = 1; i <= 3; i++)
        {
            await PostAsync(tenant, id, i);
        }

        string lastSeen;
        using (var response = await OpenStreamAsync(tenant, id, lastEventId: "0"))
        using (var stream = new SseReader(await response.Content.ReadAsStreamAsync()))
        {
            Assert.Equal("1", (await stream.NextEventAsync(Patience)).Id);
            lastSeen = (await stream.NextEventAsync(Patience)).Id!;
        }
        for (var i = 4; i <= 5; i++)
        {
            await PostAsync(tenant, id, i);
        }

        using var resumed = await OpenStreamAsync(tenant, id, lastSeen);
        using var rest = new SseReader(await resumed.Content.ReadAsStreamAsync());
        var ids = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await rest.NextEventAsync(Patience)).Id);
        }
        Assert.Equal("2", lastSeen);
        Assert.Equal(["3", "4", "5"], ids);
    }

    [Fact]
    public async Task TheQueryParameterResumesLikeTheHeader()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = await CreateSessionAsync(tenant);
        for (var i = 1; i <= 2; i++)
        {
            await PostAsync(tenant, id, i);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sessions/{id}/events/stream?lastEventId=1");
        using var response = await tenant.Ingest.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var stream = new SseReader(await response.Content.ReadAsStreamAsync());

        var next = await stream.NextEventAsync(Patience);
        Assert.Equal("2", next.Id);
        Assert.Equal(2, JsonDocument.Parse(next.Data!).RootElement.GetProperty("data").GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task ABrowserOpensTheTailWithAStreamTokenForItsPathOnly()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = await CreateSessionAsync(tenant);
        var other = await CreateSessionAsync(tenant);
        await PostAsync(tenant, id, 1);
        using var grant = await tenant.Review.PostAsJsonAsync("/api/stream-tokens", new { path = $"/api/sessions/{id}/events/stream" });
        var token = (await ApiAssert.JsonAsync(grant, HttpStatusCode.Created)).GetProperty("token").GetString();
        using var browser = app.CreateClient();

        using var response = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/sessions/{id}/events/stream?lastEventId=0&stream_token={token}"), HttpCompletionOption.ResponseHeadersRead);
        using var elsewhere = await browser.GetAsync($"/api/sessions/{other}/events/stream?stream_token={token}");
        using var stream = new SseReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("1", (await stream.NextEventAsync(Patience)).Id);
        await ApiAssert.ErrorAsync(elsewhere, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task AnIdleStreamSendsKeepaliveComments()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = await CreateSessionAsync(tenant);

        using var response = await OpenStreamAsync(tenant, id, lastEventId: null);
        using var stream = new SseReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal(["connected"], (await stream.NextAsync(Patience)).Comments);
        var heartbeat = await stream.NextAsync(Patience);
        Assert.Equal(["keepalive"], heartbeat.Comments);
        Assert.Null(heartbeat.Data);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("4")]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999")]
    public async Task ALastEventIdThatNamesNoEventOfTheSessionIsAValidationError(string lastEventId)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = await CreateSessionAsync(tenant);
        for (var i = 1; i <= 3; i++)
        {
            await PostAsync(tenant, id, i);
        }

        using var response = await OpenStreamAsync(tenant, id, lastEventId);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("Last-Event-ID", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnUnknownSessionHasNoStream()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await OpenStreamAsync(tenant, "no-such-session", lastEventId: null);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(15, 5)]
    [InlineData(15, 60_001)]
    public void StreamSettingsThatCannotWorkAreRefusedByName(double heartbeatSeconds, int pollMilliseconds)
    {
        var result = new SessionOptionsValidator().Validate(null, new SessionOptions { HeartbeatSeconds = heartbeatSeconds, PollMilliseconds = pollMilliseconds });

        Assert.True(result.Failed);
        Assert.Contains(heartbeatSeconds == 0 ? "FuncTrace__Sessions__HeartbeatSeconds" : "FuncTrace__Sessions__PollMilliseconds", result.FailureMessage, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(TenantClients tenant, string id, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sessions/{id}/events/stream");
        request.Headers.Add("Accept", "text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        return await tenant.Ingest.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<string> CreateSessionAsync(TenantClients tenant) =>
        (await SessionTests.CreateSessionAsync(tenant, new { name = "tail" })).GetProperty("session_id").GetString()!;

    private static async Task PostAsync(TenantClients tenant, string id, int i)
    {
        using var response = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{id}/events", new { event_type = "step", data = new { i } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
