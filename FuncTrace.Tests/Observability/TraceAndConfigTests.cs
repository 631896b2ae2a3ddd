using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Commands;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Commands.CommandClient;

namespace FuncTrace.Tests.Observability;

public sealed class TraceAndConfigTests : IClassFixture<CommandAppFixture>
{
    private readonly FuncTraceApp _app;
    private readonly FakeOpenAiServer _server;

    public TraceAndConfigTests(CommandAppFixture fixture)
    {
        _app = fixture.App;
        _server = fixture.Server;
        _server.Reset();
    }

    [Fact]
    public async Task ASessionsTraceHasItsEventsCommandsAndModelCallsInTimeOrderWithUsage()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        var session = await NewSessionAsync(tenant);
        using var note = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{session}/events", new { event_type = "note", data = new { text = "before" } });
        await ApiAssert.JsonAsync(note, HttpStatusCode.Created);
        _server.Enqueue(FakeReply.Text("Traced."));
        var id = (await SubmittedAsync(tenant, session, new { command_type = "prompt", parameters = new { prompt = "Trace me." } })).GetProperty("command_id").GetString()!;
        await FinishedAsync(tenant, session, id);

        var trace = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/observability/traces/{session}");
        var spans = trace.GetProperty("spans").EnumerateArray().ToList();
        var starts = spans.Select(s => s.GetProperty("start_time").GetDateTimeOffset()).ToList();
        var command = spans.Single(s => s.GetProperty("kind").GetString() == "command");
        var call = spans.Single(s => s.GetProperty("kind").GetString() == "model_call");
        var totals = trace.GetProperty("totals");

        Assert.Equal(session, trace.GetProperty("trace_id").GetString());
        Assert.True(trace.GetProperty("is_session").GetBoolean());
        Assert.Equal(starts.Order(), starts);
        Assert.Equal("note", spans[0].GetProperty("name").GetString());
        Assert.Equal(["note", "command_started", "model_call", "command_completed"],
            spans.Where(s => s.GetProperty("kind").GetString() != "command").Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("prompt", command.GetProperty("name").GetString());
        Assert.Equal("completed", command.GetProperty("status").GetString());
        Assert.True(command.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.Equal("Traced.", command.GetProperty("attributes").GetProperty("result").GetProperty("response").GetString());
        Assert.Equal(id, call.GetProperty("parent_id").GetString());
        Assert.Equal(FakeOpenAiServer.Model, call.GetProperty("model").GetString());
        Assert.True(call.GetProperty("duration_ms").GetInt64() >= 0);
        Assert.Equal(4, totals.GetProperty("events").GetInt32());
        Assert.Equal(1, totals.GetProperty("commands").GetInt32());
        Assert.Equal(1, totals.GetProperty("model_calls").GetInt32());
        Assert.Equal(call.GetProperty("usage").GetProperty("total_tokens").GetInt64(), totals.GetProperty("total_tokens").GetInt64());
        Assert.True(totals.GetProperty("total_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task AConversationsTraceHasItsEventsAndAnUnknownIdIs404()
    {
        using var tenant = await TenantClients.CreateAsync(_app);
        await tenant.PostEventAsync(new { conversation_id = "conv-trace", event_type = "user_message", data = new { text = "hi" } });
        await tenant.PostEventAsync(new { conversation_id = "conv-trace", event_type = "assistant_response", data = new { text = "hello" }, model = "m-1", usage = new { prompt_tokens = 3, completion_tokens = 2 } });

        var trace = await tenant.Review.GetFromJsonAsync<JsonElement>("/api/observability/traces/conv-trace");
        using var unknown = await tenant.Review.GetAsync("/api/observability/traces/no-such-thing");
        using var badId = await tenant.Review.GetAsync("/api/observability/traces/" + new string('x', 300));
        using var badCursor = await tenant.Review.GetAsync("/api/observability/traces/conv-trace?cursor=garbage");

        Assert.False(trace.GetProperty("is_session").GetBoolean());
        Assert.Equal(["event", "model_call"], trace.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("kind").GetString()));
        Assert.Equal(5, trace.GetProperty("totals").GetProperty("total_tokens").GetInt64());
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(badId, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(badCursor, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task ConfigShowsEffectiveSettingsToAdminsWithSecretsOnlyAsSetOrUnset()
    {
        using var admin = _app.AdminClient();
        using var tenant = await TenantClients.CreateAsync(_app);

        var config = await admin.GetFromJsonAsync<JsonElement>("/api/config");
        using var notAdmin = await tenant.Ingest.GetAsync("/api/config");
        var settings = config.GetProperty("settings").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);

        Assert.Equal("set", settings["FuncTrace__Llm__ApiKey"].GetProperty("value").GetString());
        Assert.True(settings["FuncTrace__Llm__ApiKey"].GetProperty("secret").GetBoolean());
        Assert.Equal("set", settings["FuncTrace__AdminApiKey"].GetProperty("value").GetString());
        Assert.Equal("set", settings["AzureWebJobsStorage"].GetProperty("value").GetString());
        Assert.Equal(FakeOpenAiServer.Model, settings["FuncTrace__Llm__Model"].GetProperty("value").GetString());
        Assert.False(settings["FuncTrace__Llm__Model"].GetProperty("is_default").GetBoolean());
        Assert.Equal("1", settings["FuncTrace__Commands__FollowSeconds"].GetProperty("value").GetString());
        Assert.Equal("600", settings["FuncTrace__Commands__LeaseSeconds"].GetProperty("value").GetString());
        Assert.True(settings["FuncTrace__Commands__LeaseSeconds"].GetProperty("is_default").GetBoolean());
        Assert.DoesNotContain(FakeOpenAiServer.ApiKey, config.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(FuncTraceApp.AdminKey, config.GetRawText(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(notAdmin, HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}
