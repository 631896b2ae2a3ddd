using System.Net;
using System.Net.Http.Json;
using System.Text;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class PromptApiTests : IClassFixture<PromptAppFixture>
{
    private readonly PromptAppFixture _fixture;
    private readonly FakeOpenAiServer _server;

    public PromptApiTests(PromptAppFixture fixture)
    {
        _fixture = fixture;
        _server = fixture.Server;
        _server.Reset();
    }

    private static object ValidPrompt => new { system = "You are terse.", messages = new[] { new { role = "user", content = "Say hello." } } };

    private HttpClient Client() => _fixture.App.ClientWithKey(_fixture.IngestKey);

    [Fact]
    public async Task APromptIsAnsweredWithTheModelsResponse()
    {
        _server.Enqueue(FakeReply.Text("Hello."));
        using var client = Client();

        using var response = await client.PostAsJsonAsync("/api/prompt", new
        {
            system = "You are terse.",
            messages = new[] { new { role = "user", content = "Say hello." }, new { role = "assistant", content = "Hi." }, new { role = "user", content = "Again." } },
        });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Hello.", body.GetProperty("response").GetString());
        var sent = Assert.Single(_server.Requests);
        Assert.Equal(FakeOpenAiServer.Model, sent.Model);
        Assert.Equal([("system", "You are terse."), ("user", "Say hello."), ("assistant", "Hi."), ("user", "Again.")], sent.Messages);
    }

    [Fact]
    public async Task AStreamedPromptSendsEachTokenThenDoneWithTheWholeText()
    {
        _server.Enqueue(FakeReply.Stream("Hel", "lo, ", "world."));
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/prompt") { Content = JsonContent.Create(ValidPrompt) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        var events = SseEvent.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["1", "2", "3", "4"], events.Select(e => e.Id));
        Assert.Equal(["token", "token", "token", "done"], events.Select(e => e.Data.GetProperty("type").GetString()));
        Assert.Equal(["Hel", "lo, ", "world."], events.Take(3).Select(e => e.Data.GetProperty("content").GetString()));
        Assert.Equal("Hello, world.", events[3].Data.GetProperty("response").GetString());
        Assert.True(Assert.Single(_server.Requests).Stream);
    }

    [Fact]
    public async Task AStreamThatFailsMidwayEndsWithAnErrorEvent()
    {
        _server.Enqueue(FakeReply.StreamThenBreak("Hel", "lo"));
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/prompt") { Content = JsonContent.Create(ValidPrompt) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = SseEvent.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["token", "token", "error"], events.Select(e => e.Data.GetProperty("type").GetString()));
        Assert.Contains("unreadable response", events[2].Data.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamRefusedBeforeTheFirstTokenGetsTheErrorEnvelope()
    {
        _server.Enqueue(FakeReply.Error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/prompt") { Content = JsonContent.Create(ValidPrompt) };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadGateway, "UPSTREAM_ERROR");
        var details = envelope.GetProperty("error").GetProperty("details");
        Assert.Equal("refused (401)", details.GetProperty("reason").GetString());
        Assert.Equal("Incorrect API key provided.", details.GetProperty("upstream_message").GetString());
    }

    public static TheoryData<string, string?> InvalidBodies => new()
    {
        { """{"messages": [{"role": "user", "content": "x"}]}""", "system" },
        { """{"system": "", "messages": [{"role": "user", "content": "x"}]}""", "system" },
        { """{"system": "s"}""", "messages" },
        { """{"system": "s", "messages": []}""", "messages" },
        { """{"system": "s", "messages": [{"role": "robot", "content": "x"}]}""", "messages[0].role" },
        { """{"system": "s", "messages": [{"content": "x"}]}""", "messages[0].role" },
        { """{"system": "s", "messages": [{"role": "user", "content": "x"}, {"role": "user"}]}""", "messages[1].content" },
        { """{"system": 42, "messages": [{"role": "user", "content": "x"}]}""", "system" },
        { """{"system": "s", "messages": "hello"}""", "messages" },
        { """{"system": "s", "messages": [{"role": "user", "content": ["x"]}]}""", "messages[0].content" },
        { """{"system": "s", "messages": [""", null },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task AnInvalidPromptIsAValidationErrorNamingTheField(string json, string? field)
    {
        using var client = Client();

        using var response = await client.PostAsync("/api/prompt", new StringContent(json, Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var details = envelope.GetProperty("error").GetProperty("details");
        if (field is null)
        {
            Assert.Contains("not valid JSON", envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(field, details.GetProperty("field").GetString());
        }
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task APromptThatIsNotJsonIsAnUnsupportedMediaType()
    {
        using var client = Client();

        using var response = await client.PostAsync("/api/prompt", new StringContent("system=s", Encoding.UTF8, "text/plain"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task APromptWithoutAKeyIsUnauthorized()
    {
        using var client = _fixture.App.ClientWithKey(null);

        using var response = await client.PostAsJsonAsync("/api/prompt", ValidPrompt);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task APromptWithAReviewOnlyKeyIsForbidden()
    {
        var reviewKey = await _fixture.App.CreateKeyAsync(FuncTraceApp.NewTenant(), "review");
        using var client = _fixture.App.ClientWithKey(reviewKey);

        using var response = await client.PostAsJsonAsync("/api/prompt", ValidPrompt);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task ARateLimitedPromptIsRetriedAfterRetryAfterAndSucceeds()
    {
        _server.Enqueue(FakeReply.RateLimited(retryAfterSeconds: 1), FakeReply.Text("Made it."));
        using var client = Client();

        using var response = await client.PostAsJsonAsync("/api/prompt", ValidPrompt);

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Made it.", body.GetProperty("response").GetString());
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task APersistentServerErrorIsABadGatewayAfterTheRetries()
    {
        _server.Fallback = _ => FakeReply.Error(500, "The server had an error while processing your request.");
        using var client = Client();

        using var response = await client.PostAsJsonAsync("/api/prompt", ValidPrompt);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadGateway, "UPSTREAM_ERROR");
        var error = envelope.GetProperty("error");
        Assert.Contains("model error (status 500)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("model error (status 500)", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal(500, error.GetProperty("details").GetProperty("upstream_status").GetInt32());
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task ARateLimitThatOutlastsTheRetriesIsABadGatewaySayingSo()
    {
        _server.Fallback = _ => FakeReply.RateLimited(retryAfterSeconds: 0);
        using var client = Client();

        using var response = await client.PostAsJsonAsync("/api/prompt", ValidPrompt);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadGateway, "UPSTREAM_ERROR");
        Assert.Equal("rate limited (429)", envelope.GetProperty("error").GetProperty("details").GetProperty("reason").GetString());
    }
}
