using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Chat;

/// <summary>A model that fails, a stream cut off and a client that hangs up: what is stored, and what the client is told.</summary>
public sealed class ChatFailureTests : IClassFixture<ChatAppFixture>
{
    private readonly ChatAppFixture _fixture;
    private readonly FakeOpenAiServer _server;

    public ChatFailureTests(ChatAppFixture fixture)
    {
        _fixture = fixture;
        _server = fixture.Server;
        _server.Reset();
    }

    [Fact]
    public async Task AStreamCutOffHalfWayEndsWithAnErrorEventAndStoresNoReply()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.StreamThenBreak("Hel", "lo"));

        var events = await ChatCalls.StreamAsync(client, "/api/chat", new { message = "Hi", conversation_id = "cut" });

        Assert.Equal(["start", "token", "token", "error"], ChatCalls.Types(events));
        var error = events[^1].Data;
        Assert.Equal("UPSTREAM_ERROR", error.GetProperty("code").GetString());
        Assert.Equal(events[0].Data.GetProperty("user_message_id").GetString(), error.GetProperty("user_message_id").GetString());
        var stored = Assert.Single(await ChatCalls.MessagesAsync(client, "cut"));
        Assert.Equal("user", stored.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData(429, "rate limited (429)")]
    [InlineData(500, "model error (status 500)")]
    public async Task AModelFailureEndsTheStreamWithAnErrorEventAndStoresNoReply(int status, string reason)
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(status == 429 ? FakeReply.RateLimited() : FakeReply.Error(500, "The model broke."));
        var conversation = $"failed-{status}";

        var events = await ChatCalls.StreamAsync(client, "/api/chat", new { message = "Hi", conversation_id = conversation });

        Assert.Equal(["start", "error"], ChatCalls.Types(events));
        var details = events[1].Data.GetProperty("details");
        Assert.Equal(reason, details.GetProperty("reason").GetString());
        Assert.Equal(status, details.GetProperty("upstream_status").GetInt32());
        Assert.Single(await ChatCalls.MessagesAsync(client, conversation));
        Assert.Equal(0, (await ChatCalls.SummaryAsync(client, conversation, messages: 1)).GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task AJsonTurnWhoseModelIsRateLimitedIsA502NamingTheStoredUserMessage()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.RateLimited());

        using var response = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "Hi", conversation_id = "json-429" }));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadGateway, "UPSTREAM_ERROR");
        var details = envelope.GetProperty("error").GetProperty("details");
        Assert.Equal(429, details.GetProperty("upstream_status").GetInt32());
        var stored = Assert.Single(await ChatCalls.MessagesAsync(client, "json-429"));
        Assert.Equal(stored.GetProperty("id").GetString(), details.GetProperty("user_message_id").GetString());
    }

    [Fact]
    public async Task ARetryAfterAFailedCallAnswersTheStoredMessageWithoutStoringItAgain()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Error(500, "busy"), FakeReply.Text("Now it works."));
        using var failed = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "Hi", conversation_id = "retried" }, "retry-1"));
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);

        var retried = await ChatCalls.SendAsync(client, new { message = "Hi", conversation_id = "retried" }, "retry-1");

        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal("Now it works.", retried.GetProperty("assistant_message").GetProperty("content").GetString());
        var messages = await ChatCalls.MessagesAsync(client, "retried", "?branches=all");
        Assert.Equal(["user", "assistant"], messages.Select(m => m.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task AClientThatHangsUpMidStreamStillGetsThePartialAnswerStored()
    {
        using var client = await _fixture.NewTenantThatHangsUpAsync();
        _server.Enqueue(FakeReply.Stream("One ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight ") with { TokenDelay = TimeSpan.FromMilliseconds(200) });
        using var request = ChatCalls.Stream("/api/chat", new { message = "Count.", conversation_id = "hung-up" });
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using (var reader = new SseReader(await response.Content.ReadAsStreamAsync()))
        {
            Assert.Contains("\"start\"", (await reader.NextEventAsync(TimeSpan.FromSeconds(10))).Data, StringComparison.Ordinal);
            Assert.Contains("One ", (await reader.NextEventAsync(TimeSpan.FromSeconds(10))).Data, StringComparison.Ordinal);
        }
        response.Dispose();

        JsonElement[] messages = [];
        await Eventually.HoldsAsync("the partial reply is stored", async () => (messages = await ChatCalls.MessagesAsync(client, "hung-up")).Length == 2);

        var reply = messages[1];
        Assert.Equal("client_disconnected", reply.GetProperty("finish_reason").GetString());
        var content = reply.GetProperty("content").GetString()!;
        Assert.StartsWith("One ", content, StringComparison.Ordinal);
        Assert.True(content.Length < "One two three four five six seven eight ".Length, content);
    }

    [Fact]
    public async Task AReplayWhileTheFirstRequestIsStillAnsweringIsAConflictAndCallsNoModel()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Stream("Slow ", "answer.") with { TokenDelay = TimeSpan.FromMilliseconds(500) });
        using var first = ChatCalls.Stream("/api/chat", new { message = "Take your time.", conversation_id = "busy" }, "busy-1");
        using var firstResponse = await client.SendAsync(first, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new SseReader(await firstResponse.Content.ReadAsStreamAsync());
        await reader.NextEventAsync(TimeSpan.FromSeconds(10));

        using var replay = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "Take your time.", conversation_id = "busy" }, "busy-1"));

        var envelope = await ApiAssert.ErrorAsync(replay, HttpStatusCode.Conflict, "CONFLICT");
        Assert.NotNull(envelope.GetProperty("error").GetProperty("details").GetProperty("user_message_id").GetString());
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task WithoutAConfiguredModelAChatIsUnavailableAndStoresNothing()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?>());
        await app.StartAsync();
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "hi", conversation_id = "no-llm" }));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        using var read = await client.GetAsync("/api/chat/no-llm");
        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task AnUnknownModelIsAcceptedAndItsUsageCountsUnpriced()
    {
        using var client = await _fixture.NewTenantAsync();
        using var created = await client.PostAsJsonAsync("/api/agents", new { name = "Odd", model = "my-private-model-7" });
        var agent = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("id").GetString();

        var turn = await ChatCalls.SendAsync(client, new { message = "hi", conversation_id = "odd-model", agent_id = agent, user = "odd@example.com" });

        Assert.Equal("my-private-model-7", turn.GetProperty("assistant_message").GetProperty("model").GetString());
        await ChatCalls.SummaryAsync(client, "odd-model", messages: 2);
        JsonElement line = default;
        await Eventually.HoldsAsync("the usage report counts the call", async () =>
        {
            var report = await client.GetFromJsonAsync<JsonElement>("/api/usage?user=odd@example.com");
            line = report.GetProperty("usage").EnumerateArray().FirstOrDefault(l => l.GetProperty("model").GetString() == "my-private-model-7");
            return line.ValueKind == JsonValueKind.Object;
        });
        Assert.Equal(11, line.GetProperty("total_tokens").GetInt64());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("cost").ValueKind);
    }
}
