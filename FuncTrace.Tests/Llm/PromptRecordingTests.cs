using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class PromptRecordingTests
    : IClassFixture<PromptAppFixture>
{
    private readonly PromptAppFixture _fixture;

    public PromptRecordingTests(PromptAppFixture fixture)
    {
        _fixture = fixture;
        fixture.Server.Reset();
    }

    [Fact]
    public async Task APromptNamingAConversationIsRecordedAsAnEventWithModelAndUsage()
    {
        _fixture.Server.Enqueue(FakeReply.Text("Seven."));
        using var client = _fixture.App.ClientWithKey(_fixture.IngestKey);
        var conversation = "prompted-" + Guid.NewGuid().ToString("N")[..8];

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "Be terse.", messages = new[] { new { role = "user", content = "A prime?" } }, conversation_id = conversation });
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var events = await client.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={conversation}");

        var recorded = Assert.Single(events.GetProperty("events").EnumerateArray());
        Assert.Equal(body.GetProperty("event_id").GetString(), recorded.GetProperty("id").GetString());
        Assert.Equal("llm_prompt", recorded.GetProperty("event_type").GetString());
        Assert.Equal(FakeOpenAiServer.Model, recorded.GetProperty("model").GetString());
        Assert.Equal("Seven.", recorded.GetProperty("data").GetProperty("response").GetString());
        Assert.Equal("Be terse.", recorded.GetProperty("data").GetProperty("system").GetString());
        Assert.Equal("A prime?", recorded.GetProperty("data").GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(10, recorded.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
    }

    [Fact]
    public async Task AStreamedPromptNamingAConversationIsRecordedWhenItEndsWithTheUsageItsStreamReported()
    {
        _fixture.Server.Enqueue(FakeReply.Stream("Sev", "en."));
        using var client = _fixture.App.ClientWithKey(_fixture.IngestKey);
        var conversation = "streamed-" + Guid.NewGuid().ToString("N")[..8];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/prompt")
        {
            Content = JsonContent.Create(new { system = "Be terse.", messages = new[] { new { role = "user", content = "A prime?" } }, conversation_id = conversation }),
        };
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await client.SendAsync(request);
        var done = SseEvent.Parse(await response.Content.ReadAsStringAsync())[^1].Data;
        var events = await client.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={conversation}");

        var recorded = Assert.Single(events.GetProperty("events").EnumerateArray());
        Assert.Equal(done.GetProperty("event_id").GetString(), recorded.GetProperty("id").GetString());
        Assert.Equal("Seven.", recorded.GetProperty("data").GetProperty("response").GetString());
        Assert.Equal(12, recorded.GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task ARecordedPromptCountsInItsConversationsSummary()
    {
        _fixture.Server.Enqueue(FakeReply.Text("Counted."));
        using var client = _fixture.App.ClientWithKey(_fixture.IngestKey);
        var conversation = "counted-" + Guid.NewGuid().ToString("N")[..8];

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "Count me." } }, conversation_id = conversation });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        JsonElement summary = default;
        await Eventually.HoldsAsync("the views count the prompt", async () =>
        {
            using var read = await client.GetAsync($"/api/conversations/{conversation}");
            summary = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversation");
            return summary.GetProperty("event_count").GetInt64() == 1;
        });
        Assert.Equal(11, summary.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("Counted.", summary.GetProperty("last_assistant_preview").GetString());
    }

    [Fact]
    public async Task APromptWithoutAConversationRecordsNothing()
    {
        _fixture.Server.Enqueue(FakeReply.Text("Hi."));
        using var client = _fixture.App.ClientWithKey(_fixture.IngestKey);

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "Hello" } } });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("event_id").ValueKind);
    }

    [Fact]
    public async Task APromptNamingAnInvalidConversationIsRefusedBeforeTheModelIsCalled()
    {
        using var client = _fixture.App.ClientWithKey(_fixture.IngestKey);

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "Hi" } }, conversation_id = "a/b" });

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("conversation_id", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        Assert.Empty(_fixture.Server.Requests);
    }

    [Fact]
    public async Task AKeyWithNoTenantIsRefusedBeforeTheModelIsCalled()
    {
        using var bootstrap = _fixture.App.AdminClient();

        using var response = await bootstrap.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "Hi" } }, conversation_id = "c1" });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Empty(_fixture.Server.Requests);
    }
}
