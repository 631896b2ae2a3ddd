using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class JudgeServiceTests : IClassFixture<FakeOpenAiFixture>
{
    private readonly FakeOpenAiServer _server;
    private readonly AdaptiveConcurrencyLimiter _limiter = new(maxConcurrency: 4);
    private readonly JudgeService _judge;

    public JudgeServiceTests(FakeOpenAiFixture fixture)
    {
        _server = fixture.Server;
        _server.Reset();
        var llm = new LlmService(new LlmOptions { Endpoint = _server.Endpoint, Model = FakeOpenAiServer.Model, ApiKey = FakeOpenAiServer.ApiKey, MaxRetries = 0 });
        _judge = new JudgeService(llm, _limiter);
    }

    [Fact]
    public async Task TheJudgeAsksForAStrictJsonSchemaAndReturnsTheScore()
    {
        _server.Enqueue(FakeReply.Text("""{"score": 8, "reasoning": "Polite and correct."}"""));

        var score = await _judge.ScoreAsync("Politeness and correctness.", "Thank you, the answer is 4.");

        Assert.Equal(new JudgeScore(8, "Polite and correct."), score);
        var request = Assert.Single(_server.Requests);
        var format = request.ResponseFormat!.Value;
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        var jsonSchema = format.GetProperty("json_schema");
        Assert.Equal("judge_score", jsonSchema.GetProperty("name").GetString());
        Assert.True(jsonSchema.GetProperty("strict").GetBoolean());
        var schema = jsonSchema.GetProperty("schema");
        Assert.Equal("integer", schema.GetProperty("properties").GetProperty("score").GetProperty("type").GetString());
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("reasoning").GetProperty("type").GetString());
        Assert.Equal(["score", "reasoning"], schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(JsonValueKind.False, schema.GetProperty("additionalProperties").ValueKind);
        Assert.Equal("system", request.Messages[0].Role);
        Assert.Contains("Politeness and correctness.", request.Messages[0].Content, StringComparison.Ordinal);
        Assert.Equal(("user", "Thank you, the answer is 4."), request.Messages[1]);
    }

    [Fact]
    public async Task AGarbledAnswerThrowsJudgeOutputException()
    {
        _server.Enqueue(FakeReply.Text("As an AI, I would rather not."));

        var error = await Assert.ThrowsAsync<JudgeOutputException>(() => _judge.ScoreAsync("m", "t"));

        Assert.Equal("As an AI, I would rather not.", error.RawOutput);
        Assert.Equal(0, _limiter.InFlight);
    }

    [Fact]
    public async Task ARateLimitedJudgeCallHalvesTheConcurrency()
    {
        _server.Enqueue(FakeReply.RateLimited(retryAfterSeconds: 0));

        var error = await Assert.ThrowsAsync<LlmUpstreamException>(() => _judge.ScoreAsync("m", "t"));

        Assert.True(error.IsRateLimited);
        Assert.Equal(2, _limiter.Limit);
        Assert.Equal(0, _limiter.InFlight);
    }

    [Fact]
    public async Task ConcurrentJudgeCallsStayWithinTheLimit()
    {
        _server.Latency = TimeSpan.FromMilliseconds(50);
        _server.Fallback = _ => FakeReply.Text("""{"score": 5, "reasoning": "ok"}""");

        var scores = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => _judge.ScoreAsync("m", $"text {i}")));

        Assert.All(scores, score => Assert.Equal(5, score.Score));
        Assert.InRange(_server.PeakConcurrency, 1, 4);
        Assert.Equal(12, _server.Requests.Count);
    }

    [Theory]
    [InlineData(null, "t", "judgingMatrix")]
    [InlineData("m", " ", "text")]
    public async Task AMissingInputIsAValidationError(string? matrix, string? text, string field)
    {
        var error = await Assert.ThrowsAsync<FuncTraceException>(() => _judge.ScoreAsync(matrix, text));

        Assert.Equal(ErrorCode.ValidationError, error.Code);
        Assert.Equal(field, error.Details!["field"]);
        Assert.Empty(_server.Requests);
    }
}
