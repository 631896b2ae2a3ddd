using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class LlmServiceTests : IClassFixture<FakeOpenAiFixture>
{
    private static readonly LlmMessage[] Hello = [new("user", "Hello")];
    private readonly FakeOpenAiServer _server;

    public LlmServiceTests(FakeOpenAiFixture fixture)
    {
        _server = fixture.Server;
        _server.Reset();
    }

    private LlmService Service(string? endpoint = null, int maxRetries = 0) => new(new LlmOptions
    {
        Endpoint = endpoint ?? _server.Endpoint,
        Model = FakeOpenAiServer.Model,
        ApiKey = FakeOpenAiServer.ApiKey,
        MaxRetries = maxRetries,
    });

    [Fact]
    public async Task CompleteSendsTheModelTheSystemPromptAndTheMessagesWithTheKey()
    {
        _server.Enqueue(FakeReply.Text("Hi there."));

        var answer = await Service().CompleteAsync("Be brief.", [new("user", "Hello"), new("assistant", "Hi."), new("user", "Again")]);

        Assert.Equal("Hi there.", answer);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(FakeOpenAiServer.Model, request.Model);
        Assert.Equal([("system", "Be brief."), ("user", "Hello"), ("assistant", "Hi."), ("user", "Again")], request.Messages);
        Assert.Equal("Bearer " + FakeOpenAiServer.ApiKey, request.Authorization);
        Assert.False(request.Stream);
    }

    [Fact]
    public async Task AnEndpointWithoutATrailingSlashReachesTheSamePath()
    {
        var answer = await Service(endpoint: _server.Endpoint.TrimEnd('/')).CompleteAsync("s", Hello);

        Assert.Equal("ok", answer);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task StreamYieldsTheTokensInOrder()
    {
        _server.Enqueue(FakeReply.Stream("One", ", two", ", three."));

        var tokens = await Service().StreamAsync("s", Hello).ToListAsync();

        Assert.Equal(["One", ", two", ", three."], tokens);
        Assert.True(Assert.Single(_server.Requests).Stream);
    }

    [Fact]
    public async Task AStreamCutOffMidwayFailsAsAnUpstreamError()
    {
        _server.Enqueue(FakeReply.StreamThenBreak("One", ", two"));
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<LlmUpstreamException>(async () =>
        {
            await foreach (var token in Service().StreamAsync("s", Hello))
            {
                received.Add(token);
            }
        });

        Assert.Equal(["One", ", two"], received);
        Assert.Equal(ErrorCode.UpstreamError, error.Code);
    }

    [Theory]
    [InlineData(401, "refused (401)")]
    [InlineData(403, "refused (403)")]
    [InlineData(404, "model error (status 404)")]
    [InlineData(429, "rate limited (429)")]
    [InlineData(500, "model error (status 500)")]
    public async Task AnErrorStatusBecomesAnUpstreamErrorWithItsReason(int status, string reason)
    {
        _server.Enqueue(FakeReply.Error(status, "The model said no."));

        var error = await Assert.ThrowsAsync<LlmUpstreamException>(() => Service().CompleteAsync("s", Hello));

        Assert.Equal(ErrorCode.UpstreamError, error.Code);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(status, error.UpstreamStatus);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal("The model said no.", error.Details!["upstream_message"]);
    }

    [Fact]
    public async Task AMalformedResponseIsAnUpstreamError()
    {
        _server.Enqueue(FakeReply.Malformed());

        var error = await Assert.ThrowsAsync<LlmUpstreamException>(() => Service().CompleteAsync("s", Hello));

        Assert.Equal("unreadable response", error.Reason);
    }

    [Fact]
    public async Task TransientFailuresAreRetriedUpToMaxRetries()
    {
        _server.Enqueue(FakeReply.Error(503, "busy"), FakeReply.Error(502, "bad gateway"), FakeReply.Text("finally"));

        var answer = await Service(maxRetries: 2).CompleteAsync("s", Hello);

        Assert.Equal("finally", answer);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task AnUnconfiguredServiceIsUnavailableAndNamesTheSettings()
    {
        var service = new LlmService(new LlmOptions());

        var error = await Assert.ThrowsAsync<FuncTraceException>(() => service.CompleteAsync("s", Hello));

        Assert.Equal(ErrorCode.ServiceUnavailable, error.Code);
        Assert.Contains("FuncTrace__Llm__Endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("FuncTrace__Llm__Model", error.Message, StringComparison.Ordinal);
        Assert.Throws<FuncTraceException>(() => service.StreamAsync("s", Hello));
    }

    [Fact]
    public async Task AnEndpointThatIsNotAUrlIsUnavailableNotACrash()
    {
        var error = await Assert.ThrowsAsync<FuncTraceException>(() => Service(endpoint: "not a url").CompleteAsync("s", Hello));

        Assert.Equal(ErrorCode.ServiceUnavailable, error.Code);
        Assert.Contains("FuncTrace__Llm__Endpoint", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string?, LlmMessage?[]?, string> InvalidInputs => new()
    {
        { null, [new("user", "x")], "system" },
        { "  ", [new("user", "x")], "system" },
        { "s", null, "messages" },
        { "s", [], "messages" },
        { "s", [null], "messages[0]" },
        { "s", [new("user", "x"), new(null, "x")], "messages[1].role" },
        { "s", [new("tool", "x")], "messages[0].role" },
        { "s", [new("User", "x")], "messages[0].role" },
        { "s", [new("user", "")], "messages[0].content" },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public async Task InvalidInputIsAValidationErrorNamingTheField(string? system, LlmMessage?[]? messages, string field)
    {
        var error = await Assert.ThrowsAsync<FuncTraceException>(() => Service().CompleteAsync(system, messages));

        Assert.Equal(ErrorCode.ValidationError, error.Code);
        Assert.Equal(field, error.Details!["field"]);
        Assert.Empty(_server.Requests);
    }
}
