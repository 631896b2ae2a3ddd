using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Chat;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Agents;

/// <summary>The engine face: the same records as agents, executed on one prompt each.</summary>
public sealed class EngineTests : IClassFixture<ChatAppFixture>
{
    private readonly ChatAppFixture _fixture;
    private readonly FakeOpenAiServer _server;

    public EngineTests(ChatAppFixture fixture)
    {
        _fixture = fixture;
        _server = fixture.Server;
        _server.Reset();
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/engines", body);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    private static async Task<string> SessionAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/sessions", new { name = "engine session" });
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("session_id").GetString()!;
    }

    [Fact]
    public async Task AnEngineIsCreatedWithItsConfigurationAndIsTheSameRecordAsAnAgent()
    {
        using var client = await _fixture.NewTenantAsync();
        var session = await SessionAsync(client);

        var engine = await CreateAsync(client, new
        {
            engine_type = "llm", model_name = "gpt-4o", session_id = session,
            configuration = new { system_prompt = "Be exact.", temperature = 0.1, max_tokens = 100 },
        });
        var id = engine.GetProperty("engine_id").GetString()!;
        var agent = await client.GetFromJsonAsync<JsonElement>($"/api/agents/{id}");

        Assert.Equal("ready", engine.GetProperty("status").GetString());
        Assert.True(engine.TryGetProperty("created_at", out _));
        Assert.Equal("gpt-4o", engine.GetProperty("model_name").GetString());
        Assert.Equal(0.1, engine.GetProperty("configuration").GetProperty("temperature").GetDouble(), 6);
        Assert.Equal("Be exact.", agent.GetProperty("system_prompt").GetString());
        Assert.Equal(session, agent.GetProperty("session_id").GetString());
        Assert.Equal("llm", agent.GetProperty("engine_type").GetString());
        Assert.Equal(id, (await client.GetFromJsonAsync<JsonElement>($"/api/engines/{id}")).GetProperty("engine_id").GetString());
    }

    [Fact]
    public async Task EnginesAreListedBySessionAndStatus()
    {
        using var client = await _fixture.NewTenantAsync();
        var session = await SessionAsync(client);
        var inSession = (await CreateAsync(client, new { engine_type = "llm", session_id = session })).GetProperty("engine_id").GetString();
        var other = (await CreateAsync(client, new { engine_type = "llm" })).GetProperty("engine_id").GetString();
        (await client.DeleteAsync($"/api/engines/{other}")).EnsureSuccessStatusCode();

        var bySession = await client.GetFromJsonAsync<JsonElement>($"/api/engines?session_id={session}");
        var ready = await client.GetFromJsonAsync<JsonElement>("/api/engines?status=ready");
        var deleted = await client.GetFromJsonAsync<JsonElement>("/api/engines?status=deleted");

        Assert.Equal([inSession], bySession.GetProperty("engines").EnumerateArray().Select(e => e.GetProperty("engine_id").GetString()));
        Assert.Equal([inSession], ready.GetProperty("engines").EnumerateArray().Select(e => e.GetProperty("engine_id").GetString()));
        Assert.Equal([other], deleted.GetProperty("engines").EnumerateArray().Select(e => e.GetProperty("engine_id").GetString()));
    }

    [Fact]
    public async Task ExecutingAnEngineAnswersWithTheReplyAndUsageAndRecordsItInItsSession()
    {
        using var client = await _fixture.NewTenantAsync();
        var session = await SessionAsync(client);
        var engine = (await CreateAsync(client, new { engine_type = "llm", model_name = "gpt-4o", session_id = session, configuration = new { temperature = 0.5, system_prompt = "Be brief." } }))
            .GetProperty("engine_id").GetString();
        _server.Enqueue(FakeReply.Text("Forty two."));

        using var response = await client.PostAsJsonAsync($"/api/engines/{engine}/execute", new { prompt = "The answer?", parameters = new { temperature = 1.2, max_tokens = 20 } });
        var result = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Equal("Forty two.", result.GetProperty("response").GetString());
        Assert.Equal(12, result.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("stop", result.GetProperty("finish_reason").GetString());
        Assert.True(result.GetProperty("cost_usd").GetDouble() > 0);
        var sent = Assert.Single(_server.Requests);
        Assert.Equal("gpt-4o", sent.Model);
        Assert.Equal(1.2, sent.Property("temperature")!.Value.GetDouble(), 3);
        Assert.Equal([("system", "Be brief."), ("user", "The answer?")], sent.Messages);
        var events = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{session}/events");
        var recorded = Assert.Single(events.GetProperty("events").EnumerateArray());
        Assert.Equal(result.GetProperty("event_id").GetString(), recorded.GetProperty("event_id").GetString());
        Assert.Equal("llm_prompt", recorded.GetProperty("event_type").GetString());
    }

    [Fact]
    public async Task AnEngineWithAnUnknownModelExecutesAndIsPricedAsUnknown()
    {
        using var client = await _fixture.NewTenantAsync();
        var engine = (await CreateAsync(client, new { engine_type = "local", model_name = "llama-made-up" })).GetProperty("engine_id").GetString();

        using var response = await client.PostAsJsonAsync($"/api/engines/{engine}/execute", new { prompt = "Hi" });
        var result = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        Assert.Equal("llama-made-up", result.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("cost_usd").ValueKind);
        Assert.Equal(engine, result.GetProperty("conversation_id").GetString());
        var recorded = await client.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={engine}");
        Assert.Equal("llama-made-up", recorded.GetProperty("events")[0].GetProperty("model").GetString());
    }

    [Fact]
    public async Task AnExecuteReplayedWithTheSameIdempotencyKeyCallsNoModel()
    {
        using var client = await _fixture.NewTenantAsync();
        var engine = (await CreateAsync(client, new { engine_type = "llm" })).GetProperty("engine_id").GetString();
        async Task<HttpResponseMessage> ExecuteAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/engines/{engine}/execute") { Content = JsonContent.Create(new { prompt = "Once" }) };
            request.Headers.Add("Idempotency-Key", "exec-1");
            return await client.SendAsync(request);
        }

        using var first = await ExecuteAsync();
        using var replay = await ExecuteAsync();

        var original = await ApiAssert.JsonAsync(first, HttpStatusCode.OK);
        var replayed = await ApiAssert.JsonAsync(replay, HttpStatusCode.OK);
        Assert.Single(_server.Requests);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(original.GetProperty("event_id").GetString(), replayed.GetProperty("event_id").GetString());
        Assert.Equal(original.GetProperty("response").GetString(), replayed.GetProperty("response").GetString());
        Assert.Equal(original.GetProperty("usage").GetProperty("total_tokens").GetInt64(), replayed.GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task ARateLimitedModelIsA502AndRecordsNothing()
    {
        using var client = await _fixture.NewTenantAsync();
        var engine = (await CreateAsync(client, new { engine_type = "llm" })).GetProperty("engine_id").GetString();
        _server.Enqueue(FakeReply.RateLimited());

        using var response = await client.PostAsJsonAsync($"/api/engines/{engine}/execute", new { prompt = "Hi" });

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadGateway, "UPSTREAM_ERROR");
        Assert.Equal(429, envelope.GetProperty("error").GetProperty("details").GetProperty("upstream_status").GetInt32());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={engine}")).GetProperty("events").GetArrayLength());
    }

    public static TheoryData<string, string> InvalidEngines => new()
    {
        { """{"engine_type": 5}""", "engine_type" },
        { """{"engine_type": "a/b"}""", "engine_type" },
        { """{"model_name": ["x"]}""", "model_name" },
        { """{"configuration": "fast"}""", "configuration" },
        { """{"configuration": {"temperature": -1}}""", "configuration.temperature" },
        { """{"configuration": {"warp": 9}}""", "configuration.warp" },
        { """{"configuration": {"tools": [{"name": ""}]}}""", "configuration.tools[0].name" },
        { """{"runtime": "python"}""", "runtime" },
    };

    [Theory]
    [MemberData(nameof(InvalidEngines))]
    public async Task AnInvalidEngineIsAValidationErrorNamingTheField(string json, string field)
    {
        using var client = await _fixture.NewTenantAsync();

        using var response = await client.PostAsync("/api/engines", new StringContent(json, Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnEngineForASessionThatDoesNotExistIsNotFound()
    {
        using var client = await _fixture.NewTenantAsync();

        using var response = await client.PostAsJsonAsync("/api/engines", new { engine_type = "llm", session_id = "no-such-session" });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("""{}""", "prompt")]
    [InlineData("""{"prompt": ""}""", "prompt")]
    [InlineData("""{"prompt": "hi", "parameters": {"temperature": 3}}""", "parameters.temperature")]
    [InlineData("""{"prompt": "hi", "parameters": {"model": "other"}}""", "parameters.model")]
    [InlineData("""{"prompt": "hi", "code": "x"}""", "code")]
    public async Task AnInvalidExecuteIsAValidationErrorAndCallsNoModel(string json, string field)
    {
        using var client = await _fixture.NewTenantAsync();
        var engine = (await CreateAsync(client, new { engine_type = "llm" })).GetProperty("engine_id").GetString();

        using var response = await client.PostAsync($"/api/engines/{engine}/execute", new StringContent(json, Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ExecutingAnUnknownOrDeletedEngineIsRefused()
    {
        using var client = await _fixture.NewTenantAsync();
        var engine = (await CreateAsync(client, new { engine_type = "llm" })).GetProperty("engine_id").GetString();
        using var deleted = await client.DeleteAsync($"/api/engines/{engine}");
        Assert.Equal("deleted", (await ApiAssert.JsonAsync(deleted, HttpStatusCode.OK)).GetProperty("status").GetString());

        using var unknown = await client.PostAsJsonAsync("/api/engines/01ARZ3NDEKTSV4RRFFQ69G5FAV/execute", new { prompt = "hi" });
        using var gone = await client.PostAsJsonAsync($"/api/engines/{engine}/execute", new { prompt = "hi" });
        using var read = await client.GetAsync("/api/engines/01ARZ3NDEKTSV4RRFFQ69G5FAV");

        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(gone, HttpStatusCode.Conflict, "CONFLICT");
        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("/api/engines?status=running", "status")]
    [InlineData("/api/engines?session_id=a%23b", "session_id")]
    public async Task AnEngineListWithBadParametersIsAValidationError(string path, string field)
    {
        using var client = await _fixture.NewTenantAsync();

        using var response = await client.GetAsync(path);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }
}
