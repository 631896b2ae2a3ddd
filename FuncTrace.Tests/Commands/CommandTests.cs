using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Commands.CommandClient;

namespace FuncTrace.Tests.Commands;

public sealed class CommandTests : IClassFixture<CommandAppFixture>
{
    private readonly FuncTraceApp _app;
    private readonly FakeOpenAiServer _server;

    public CommandTests(CommandAppFixture fixture)
    {
        _app = fixture.App;
        _server = fixture.Server;
        _server.Reset();
    }

    [Fact]
    public async Task APromptCommandAnswersAtOnceThenCompletesWithTheModelsReplyAndItsEventsInTheSessionsStream()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        _server.Enqueue(FakeReply.Text("Four."));

        using var submitted = await SubmitAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "2 + 2?", system = "Be brief." }, metadata = new { source = "cli" } });
        var accepted = await ApiAssert.JsonAsync(submitted, HttpStatusCode.Accepted);
        var id = accepted.GetProperty("command_id").GetString()!;
        var done = await FinishedAsync(tenant, session, id);
        var events = await EventsAsync(tenant, session);

        Assert.Equal("executing", accepted.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, accepted.GetProperty("result").ValueKind);
        Assert.True(accepted.GetProperty("created_at").TryGetDateTimeOffset(out _));
        Assert.Equal($"/api/sessions/{session}/commands/{id}", submitted.Headers.Location?.OriginalString);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("Four.", done.GetProperty("result").GetProperty("response").GetString());
        Assert.Equal(FakeOpenAiServer.Model, done.GetProperty("result").GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error").ValueKind);
        Assert.Equal("cli", done.GetProperty("metadata").GetProperty("source").GetString());
        Assert.True(done.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.Equal([("system", "Be brief."), ("user", "2 + 2?")], Assert.Single(_server.Requests).Messages);
        Assert.Equal(["command_started", "model_call", "command_completed"], Types(events));
        Assert.All(events, e => Assert.Equal(id, e.GetProperty("data").GetProperty("command_id").GetString()));
        Assert.Equal("Four.", events[1].GetProperty("data").GetProperty("response").GetString());
        var call = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/events/{events[1].GetProperty("event_id").GetString()}");
        Assert.Equal(FakeOpenAiServer.Model, call.GetProperty("model").GetString());
        Assert.True(call.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0);
        Assert.Equal("completed", events[2].GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task APromptCommandRunsTheSessionsEngineOrTheAgentItNames()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        using var engine = await tenant.Ingest.PostAsJsonAsync("/api/engines", new { engine_type = "chat", model_name = "engine-model", session_id = session, configuration = new { system_prompt = "You are a pirate." } });
        var engineId = (await ApiAssert.JsonAsync(engine, HttpStatusCode.Created)).GetProperty("engine_id").GetString();
        using var agent = await tenant.Ingest.PostAsJsonAsync("/api/agents", new { name = "Poet", system_prompt = "You are a poet.", model = "agent-model" });
        var agentId = (await ApiAssert.JsonAsync(agent, HttpStatusCode.Created)).GetProperty("id").GetString();
        _server.Enqueue(FakeReply.Text("Arr."), FakeReply.Text("Roses."));

        var byEngine = await FinishedAsync(tenant, session, (await SubmittedAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "Greet me." } })).GetProperty("command_id").GetString()!);
        var byAgent = await FinishedAsync(tenant, session, (await SubmittedAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "A verse.", agent_id = agentId } })).GetProperty("command_id").GetString()!);
        var events = await EventsAsync(tenant, session);

        Assert.Equal("Arr.", byEngine.GetProperty("result").GetProperty("response").GetString());
        Assert.Equal(engineId, byEngine.GetProperty("result").GetProperty("agent_id").GetString());
        Assert.Equal("Roses.", byAgent.GetProperty("result").GetProperty("response").GetString());
        Assert.Equal(agentId, byAgent.GetProperty("result").GetProperty("agent_id").GetString());
        Assert.Equal(["engine-model", "agent-model"], _server.Requests.Select(r => r.Model));
        Assert.Equal(["You are a pirate.", "You are a poet."], _server.Requests.Select(r => r.Messages[0].Content));
        // The agent's run records the call as its llm_prompt event; the command adds no model_call of its own.
        Assert.Equal(["command_started", "llm_prompt", "command_completed", "command_started", "llm_prompt", "command_completed"], Types(events));
        Assert.Equal(byEngine.GetProperty("result").GetProperty("event_id").GetString(), events[1].GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task ARateLimitedPromptIsTriedAgainByTheQueueAndStartsOnce()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        _server.Enqueue(FakeReply.RateLimited(), FakeReply.Text("Later."));

        var done = await FinishedAsync(tenant, session, (await SubmittedAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "Now?" } })).GetProperty("command_id").GetString()!);
        var events = await EventsAsync(tenant, session);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("Later.", done.GetProperty("result").GetProperty("response").GetString());
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(["command_started", "model_call", "command_completed"], Types(events));
    }

    [Fact]
    public async Task AStreamCutOffHalfWayFailsThePromptWithThePartialAnswerAndIsNotSentAgain()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        _server.Enqueue(FakeReply.StreamThenBreak("Once upon ", "a time"));

        var done = await FinishedAsync(tenant, session, (await SubmittedAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "A story." } })).GetProperty("command_id").GetString()!);
        var events = await EventsAsync(tenant, session);

        Assert.Equal("failed", done.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("result").ValueKind);
        var error = done.GetProperty("error");
        Assert.Contains("stream broke off", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Once upon a time", error.GetProperty("details").GetProperty("partial_response").GetString());
        Assert.Single(_server.Requests);
        Assert.Equal(["command_started", "command_failed"], Types(events));
        Assert.Equal("failed", events[1].GetProperty("data").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ABatchScoreCommandCompletesWithItsJobsCounts()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        _server.Fallback = _ => FakeReply.Text("""{"score": 8, "reasoning": "Fine."}""");

        var done = await FinishedAsync(tenant, session, (await SubmittedAsync(tenant, session, new
        {
            command_type = "batch_score",
            parameters = new { judging_matrix = "Score 1-10.", tests = new[] { new { id = 1, text = "Paris is in France." }, new { id = 2, text = "Water is wet." } } },
        })).GetProperty("command_id").GetString()!);
        var result = done.GetProperty("result");
        var job = await tenant.Ingest.GetFromJsonAsync<JsonElement>(result.GetProperty("status_url").GetString()!);

        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal(2, result.GetProperty("total").GetInt32());
        Assert.Equal(2, result.GetProperty("scored").GetInt32());
        Assert.Equal(8, result.GetProperty("average_score").GetDouble());
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(["command_started", "command_completed"], Types(await EventsAsync(tenant, session)));
    }

    [Fact]
    public async Task ABatchQueuesEachCommandAndTheyAllComplete()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        _server.Fallback = request => FakeReply.Text("echo " + request.Messages[^1].Content);

        using var response = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{session}/commands/batch", new
        {
            commands = Enumerable.Range(1, 3).Select(i => new { command_id = $"c-{i}", command_type = "prompt", parameters = new { prompt = $"p{i}" } }),
        });
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
        var finished = new List<JsonElement>();
        foreach (var i in Enumerable.Range(1, 3))
        {
            finished.Add(await FinishedAsync(tenant, session, $"c-{i}"));
        }

        Assert.Equal(["c-1", "c-2", "c-3"], body.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("command_id").GetString()));
        Assert.All(body.GetProperty("commands").EnumerateArray(), c => Assert.Equal("executing", c.GetProperty("status").GetString()));
        Assert.Equal(["echo p1", "echo p2", "echo p3"], finished.Select(c => c.GetProperty("result").GetProperty("response").GetString()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AReplayedCommandAnswersTheStoredOneAndRunsNothingTwice(bool byHeader)
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        _server.Enqueue(FakeReply.Text("Once."));
        object Body(string prompt) => byHeader
            ? new { command_type = "prompt", parameters = new { prompt } }
            : new { command_id = "retry-me", command_type = "prompt", parameters = new { prompt } };

        using var first = await SubmitAsync(tenant, session, Body("Say it."), byHeader ? "key-1" : null);
        var stored = await ApiAssert.JsonAsync(first, HttpStatusCode.Accepted);
        var id = stored.GetProperty("command_id").GetString()!;
        var done = await FinishedAsync(tenant, session, id);
        using var replay = await SubmitAsync(tenant, session, Body("Say it."), byHeader ? "key-1" : null);
        using var reused = await SubmitAsync(tenant, session, Body("Something else."), byHeader ? "key-1" : null);

        var replayed = await ApiAssert.JsonAsync(replay, HttpStatusCode.OK);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(id, replayed.GetProperty("command_id").GetString());
        Assert.Equal("completed", replayed.GetProperty("status").GetString());
        Assert.Equal(done.GetProperty("result").GetRawText(), replayed.GetProperty("result").GetRawText());
        await ApiAssert.ErrorAsync(reused, HttpStatusCode.Conflict, "CONFLICT");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(_server.Requests);
        Assert.Equal(["command_started", "model_call", "command_completed"], Types(await EventsAsync(tenant, session)));
    }
}
