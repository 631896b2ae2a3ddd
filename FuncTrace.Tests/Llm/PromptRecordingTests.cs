using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class PromptRecordingTests(PromptAppFixture fixture) : IClassFixture<PromptAppFixture>
{
    [Fact]
    public async Task APromptNamingAConversationIsRecordedAsAnEventWithModelAndUsage()
    {
        fixture.Server.Enqueue(FakeReply.Text("Seven."));
        using var client = fixture.App.ClientWithKey(fixture.IngestKey);
        var conversation = "prompted-" + Guid.NewGuid().ToString("N")[..8];

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "Be terse.", messages = new[] { new { role = "user", content = "A prime?" } }, conversation_id = conversation });
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var events = await client.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={conversation}");

        var recorded = Assert.Single(events.GetProperty("events").EnumerateArray());
        Assert.Equal(body.GetProperty("event_id").GetString(), recorded.GetProperty("id").GetString());
        Assert.Equal("llm_prompt", recorded.GetProperty("event_type").GetString());
        Assert.Equal(FakeOpenAiServer.Model, recorded.GetProperty("model").GetString());
        Assert.Equal("Seven.", recorded.GetProperty("data").GetProperty("response").GetString());
        Assert.Equal("A prime?", recorded.GetProperty("data").GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(10, recorded.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
    }

    [Fact]
    public async Task AStreamedPromptNamingAConversationIsRecordedWhenItEnds()
    {
        fixture.Server.Enqueue(FakeReply.Stream("Sev", "en."));
        using var client = fixture.App.ClientWithKey(fixture.IngestKey);
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
    }

    [Fact]
    public async Task APromptWithoutAConversationRecordsNothing()
    {
        fixture.Server.Enqueue(FakeReply.Text("Hi."));
        using var client = fixture.App.ClientWithKey(fixture.IngestKey);

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "Hello" } } });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("event_id").ValueKind);
    }

    [Fact]
    public async Task AKeyWithNoTenantIsRefusedBeforeTheModelIsCalled()
    {
        using var bootstrap = fixture.App.AdminClient();
        var before = fixture.Server.Requests.Count;

        using var response = await bootstrap.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "Hi" } }, conversation_id = "c1" });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal(before, fixture.Server.Requests.Count);
    }
}
