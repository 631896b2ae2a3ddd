using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Chat;

public sealed class ChatTests : IClassFixture<ChatAppFixture>
{
    private readonly ChatAppFixture _fixture;
    private readonly FakeOpenAiServer _server;

    public ChatTests(ChatAppFixture fixture)
    {
        _fixture = fixture;
        _server = fixture.Server;
        _server.Reset();
    }

    [Fact]
    public async Task AJsonTurnStoresTheUserMessageAndTheReplyWithItsUsage()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Text("Seven is prime."));

        var turn = await ChatCalls.SendAsync(client, new { message = "Name a prime.", user = "Ana@Example.com" });

        var conversation = turn.GetProperty("conversation_id").GetString()!;
        var user = turn.GetProperty("user_message");
        var reply = turn.GetProperty("assistant_message");
        Assert.False(turn.GetProperty("replayed").GetBoolean());
        Assert.Equal(("user", "Name a prime."), (user.GetProperty("role").GetString(), user.GetProperty("content").GetString()));
        Assert.Equal(JsonValueKind.Null, user.GetProperty("parent_message_id").ValueKind);
        Assert.Equal(("assistant", "Seven is prime."), (reply.GetProperty("role").GetString(), reply.GetProperty("content").GetString()));
        Assert.Equal(user.GetProperty("id").GetString(), reply.GetProperty("parent_message_id").GetString());
        Assert.Equal("stop", reply.GetProperty("finish_reason").GetString());
        Assert.Equal(FakeOpenAiServer.Model, reply.GetProperty("model").GetString());
        Assert.Equal(13, reply.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        var sent = Assert.Single(_server.Requests);
        Assert.Equal([("system", "You are a helpful assistant."), ("user", "Name a prime.")], sent.Messages);

        var summary = await ChatCalls.SummaryAsync(client, conversation, messages: 2);
        Assert.Equal("Name a prime.", summary.GetProperty("title").GetString());
        Assert.Equal("Seven is prime.", summary.GetProperty("last_assistant_preview").GetString());
        Assert.Equal(13, summary.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("ana@example.com", summary.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task AStreamedTurnSendsStartTokensAndDoneWithBothIdsAndStoresTheReplyWithItsUsage()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Stream("Sev", "en."));

        var events = await ChatCalls.StreamAsync(client, "/api/chat", new { message = "A prime?", conversation_id = "streamed" });

        Assert.Equal(["start", "token", "token", "done"], ChatCalls.Types(events));
        var start = events[0].Data;
        var done = events[^1].Data.GetProperty("assistant_message");
        Assert.Equal("streamed", start.GetProperty("conversation_id").GetString());
        Assert.Equal(start.GetProperty("assistant_message_id").GetString(), done.GetProperty("id").GetString());
        Assert.Equal(start.GetProperty("user_message_id").GetString(), done.GetProperty("parent_message_id").GetString());
        Assert.Equal("Seven.", done.GetProperty("content").GetString());
        Assert.Equal(12, done.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.True(Assert.Single(_server.Requests).IncludeUsage);
        var stored = await ChatCalls.MessagesAsync(client, "streamed");
        Assert.Equal(["A prime?", "Seven."], stored.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(12, (await ChatCalls.SummaryAsync(client, "streamed", messages: 2)).GetProperty("usage").GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task TheTitleIsTheFirstUserMessageCutTo100CharactersAndLaterMessagesKeepIt()
    {
        using var client = await _fixture.NewTenantAsync();
        var first = string.Concat(Enumerable.Repeat("Tell me about rivers. ", 10));
        _server.Enqueue(FakeReply.Text("Rivers flow."), FakeReply.Text("Lakes are still."));
        await ChatCalls.SendAsync(client, new { message = first, conversation_id = "titled" });

        await ChatCalls.SendAsync(client, new { message = "And lakes?", conversation_id = "titled" });

        var summary = await ChatCalls.SummaryAsync(client, "titled", messages: 4);
        Assert.Equal(first[..100], summary.GetProperty("title").GetString());
        Assert.Equal("Lakes are still.", summary.GetProperty("last_assistant_preview").GetString());
    }

    [Fact]
    public async Task TheModelSeesTheEarlierMessagesOfTheConversation()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Text("Hi Ana."), FakeReply.Text("Your name is Ana."));
        await ChatCalls.SendAsync(client, new { message = "I am Ana.", conversation_id = "memory" });

        var second = await ChatCalls.SendAsync(client, new { message = "Who am I?", conversation_id = "memory" });

        Assert.Equal([("system", "You are a helpful assistant."), ("user", "I am Ana."), ("assistant", "Hi Ana."), ("user", "Who am I?")], _server.Requests[1].Messages);
        var first = await ChatCalls.MessagesAsync(client, "memory");
        Assert.Equal(first[1].GetProperty("id").GetString(), second.GetProperty("user_message").GetProperty("parent_message_id").GetString());
    }

    [Fact]
    public async Task TheHistoryTheModelSeesIsBoundedToTheNewestMessages()
    {
        using var client = await _fixture.NewTenantAsync();
        for (var i = 1; i <= 5; i++)
        {
            await ChatCalls.SendAsync(client, new { message = $"m{i}", conversation_id = "bounded" });
        }

        var sent = _server.Requests[^1].Messages;

        // HistoryMessages is 6 in this fixture: the system prompt, the six newest earlier messages, the new one.
        Assert.Equal(8, sent.Count);
        Assert.Equal(("user", "m2"), sent[1]);
        Assert.Equal(("user", "m5"), sent[^1]);
    }

    [Fact]
    public async Task AnAgentsSystemPromptModelParametersAndToolsApplyToTheTurn()
    {
        using var client = await _fixture.NewTenantAsync();
        var agent = await AgentAsync(client, new
        {
            name = "Weather", system_prompt = "You forecast.", model = "gpt-4o-mini", parameters = new { temperature = 0.2, max_tokens = 50 },
            tools = new[] { new { name = "get_weather", description = "Weather of a city", parameters = new { type = "object", properties = new { city = new { type = "string" } } } } },
        });
        _server.Enqueue(FakeReply.ToolCall("get_weather", """{"city":"Oslo"}"""));

        var turn = await ChatCalls.SendAsync(client, new { message = "Weather in Oslo?", agent_id = agent });

        var sent = Assert.Single(_server.Requests);
        Assert.Equal("gpt-4o-mini", sent.Model);
        Assert.Equal(("system", "You forecast."), sent.Messages[0]);
        Assert.Equal(0.2, sent.Property("temperature")!.Value.GetDouble(), 3);
        Assert.Equal("get_weather", sent.Property("tools")!.Value[0].GetProperty("function").GetProperty("name").GetString());
        var reply = turn.GetProperty("assistant_message");
        Assert.Equal("tool_calls", reply.GetProperty("finish_reason").GetString());
        Assert.Equal(agent, reply.GetProperty("agent_id").GetString());
        var call = Assert.Single(reply.GetProperty("tool_calls").EnumerateArray());
        Assert.Equal(("call_1", "get_weather", """{"city":"Oslo"}"""),
            (call.GetProperty("id").GetString(), call.GetProperty("name").GetString(), call.GetProperty("arguments").GetString()));
    }

    [Fact]
    public async Task AStreamedToolCallArrivesWholeInDone()
    {
        using var client = await _fixture.NewTenantAsync();
        var agent = await AgentAsync(client, new { name = "Tools", tools = new[] { new { name = "lookup" } } });
        _server.Enqueue(FakeReply.ToolCall("lookup", """{"q":"prime numbers"}""", id: "call_9"));

        var events = await ChatCalls.StreamAsync(client, "/api/chat", new { message = "Look it up.", agent_id = agent });

        var reply = events[^1].Data.GetProperty("assistant_message");
        Assert.Equal("tool_calls", reply.GetProperty("finish_reason").GetString());
        Assert.Equal("""{"q":"prime numbers"}""", reply.GetProperty("tool_calls")[0].GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task AReplayWithTheSameIdempotencyKeyAnswersFromStorageWithoutCallingTheModel()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Text("Once."));
        var first = await ChatCalls.SendAsync(client, new { message = "Say it once." }, idempotencyKey: "turn-1");

        using var again = ChatCalls.Json("/api/chat", new { message = "Say it once." }, "turn-1");
        using var response = await client.SendAsync(again);
        var replay = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var streamed = await ChatCalls.StreamAsync(client, "/api/chat", new { message = "Say it once." }, "turn-1");

        Assert.Single(_server.Requests);
        Assert.Equal("true", response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(first.GetProperty("conversation_id").GetString(), replay.GetProperty("conversation_id").GetString());
        Assert.Equal(first.GetProperty("assistant_message").GetProperty("id").GetString(), replay.GetProperty("assistant_message").GetProperty("id").GetString());
        Assert.Equal(["start", "token", "done"], ChatCalls.Types(streamed));
        Assert.True(streamed[0].Data.GetProperty("replayed").GetBoolean());
        Assert.Equal("Once.", streamed[1].Data.GetProperty("content").GetString());
        Assert.Equal(2, (await ChatCalls.MessagesAsync(client, first.GetProperty("conversation_id").GetString()!, "?branches=all")).Length);
    }

    [Fact]
    public async Task AReplayWithTheSameClientMessageIdChangesNothing()
    {
        using var client = await _fixture.NewTenantAsync();
        var body = new { message = "Hello", conversation_id = "client-ids", client_message_id = "msg-1" };
        var first = await ChatCalls.SendAsync(client, body);

        var second = await ChatCalls.SendAsync(client, body);

        Assert.Single(_server.Requests);
        Assert.Equal("msg-1", first.GetProperty("user_message").GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("assistant_message").GetProperty("id").GetString(), second.GetProperty("assistant_message").GetProperty("id").GetString());
        Assert.Equal(2, (await ChatCalls.MessagesAsync(client, "client-ids", "?branches=all")).Length);
        Assert.Equal(2, (await ChatCalls.SummaryAsync(client, "client-ids", messages: 2)).GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task AClientMessageIdReusedForOtherWordsIsAConflict()
    {
        using var client = await _fixture.NewTenantAsync();
        await ChatCalls.SendAsync(client, new { message = "Hello", conversation_id = "reused", client_message_id = "msg-1" });

        using var request = ChatCalls.Json("/api/chat", new { message = "Something else", conversation_id = "reused", client_message_id = "msg-1" });
        using var response = await client.SendAsync(request);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Single(_server.Requests);
    }

    public static TheoryData<string, string?> InvalidBodies => new()
    {
        { """{}""", "message" },
        { """{"message": "  "}""", "message" },
        { """{"message": 42}""", "message" },
        { """{"message": "hi", "conversation_id": "a/b"}""", "conversation_id" },
        { """{"message": "hi", "agent_id": "x#y"}""", "agent_id" },
        { """{"message": "hi", "parent_message_id": "p1"}""", "parent_message_id" },
        { """{"message": "hi", "conversation_id": "c", "parent_message_id": "missing"}""", "parent_message_id" },
        { """{"message": "hi", "client_message_id": "a?b"}""", "client_message_id" },
        { """{"message": "hi", "user": 7}""", "user" },
        { """{"message": [""", null },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task AnInvalidChatRequestIsAValidationErrorNamingTheFieldAndStoresNothing(string json, string? field)
    {
        using var client = await _fixture.NewTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat") { Content = new StringContent(json, Encoding.UTF8, "application/json") };

        using var response = await client.SendAsync(request);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        if (field is not null)
        {
            Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        }
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AMessageLongerThanTheLimitIsRefused()
    {
        using var client = await _fixture.NewTenantAsync();

        using var request = ChatCalls.Json("/api/chat", new { message = new string('x', 32_001) });
        using var response = await client.SendAsync(request);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("message", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AnUnknownOrDeletedAgentIsRefusedBeforeAnythingIsStored()
    {
        using var client = await _fixture.NewTenantAsync();
        var agent = await AgentAsync(client, new { name = "Gone" });
        (await client.DeleteAsync($"/api/agents/{agent}")).EnsureSuccessStatusCode();

        using var unknown = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "hi", conversation_id = "agentless", agent_id = "01ARZ3NDEKTSV4RRFFQ69G5FAV" }));
        using var deleted = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "hi", conversation_id = "agentless", agent_id = agent }));

        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(deleted, HttpStatusCode.Conflict, "CONFLICT");
        using var read = await client.GetAsync("/api/chat/agentless");
        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AReviewKeyMayReadAChatButNotSendOne()
    {
        var tenant = FuncTraceApp.NewTenant();
        using var ingest = _fixture.App.ClientWithKey(await _fixture.App.CreateKeyAsync(tenant, "ingest"));
        using var review = _fixture.App.ClientWithKey(await _fixture.App.CreateKeyAsync(tenant, "review"));
        await ChatCalls.SendAsync(ingest, new { message = "hi", conversation_id = "roles" });

        using var send = await review.SendAsync(ChatCalls.Json("/api/chat", new { message = "hi", conversation_id = "roles" }));

        await ApiAssert.ErrorAsync(send, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal(2, (await ChatCalls.MessagesAsync(review, "roles")).Length);
    }

    private static async Task<string> AgentAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/agents", body);
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }
}
