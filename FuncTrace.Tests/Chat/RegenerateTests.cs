using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Chat;

/// <summary>Regenerated replies are siblings under the same user message; the active branch follows the newest message.</summary>
public sealed class RegenerateTests : IClassFixture<ChatAppFixture>
{
    private readonly ChatAppFixture _fixture;
    private readonly FakeOpenAiServer _server;

    public RegenerateTests(ChatAppFixture fixture)
    {
        _fixture = fixture;
        _server = fixture.Server;
        _server.Reset();
    }

    [Fact]
    public async Task RegeneratingAddsASiblingReplyThatBecomesTheActiveBranch()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Text("First try."), FakeReply.Text("Second try."));
        var turn = await ChatCalls.SendAsync(client, new { message = "Try.", conversation_id = "regen" });
        var user = turn.GetProperty("user_message").GetProperty("id").GetString();

        using var response = await client.SendAsync(ChatCalls.Json("/api/chat/regen/regenerate", new { }));
        var regenerated = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        var reply = regenerated.GetProperty("assistant_message");
        Assert.Equal("Second try.", reply.GetProperty("content").GetString());
        Assert.Equal(user, reply.GetProperty("parent_message_id").GetString());
        Assert.Equal(user, regenerated.GetProperty("user_message").GetProperty("id").GetString());
        Assert.Equal([("system", "You are a helpful assistant."), ("user", "Try.")], _server.Requests[1].Messages);
        var active = await ChatCalls.MessagesAsync(client, "regen");
        Assert.Equal(["Try.", "Second try."], active.Select(m => m.GetProperty("content").GetString()));
        var all = await ChatCalls.MessagesAsync(client, "regen", "?branches=all");
        Assert.Equal(["Try.", "First try.", "Second try."], all.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal([null, user, user], all.Select(m => m.GetProperty("parent_message_id").GetString()));
    }

    [Fact]
    public async Task RegeneratingCountsTheUsageAgainButNotAnotherUserMessage()
    {
        using var client = await _fixture.NewTenantAsync();
        await ChatCalls.SendAsync(client, new { message = "Count.", conversation_id = "regen-usage" });

        await ChatCalls.StreamAsync(client, "/api/chat/regen-usage/regenerate", new { });

        var summary = await ChatCalls.SummaryAsync(client, "regen-usage", messages: 3);
        Assert.Equal(22, summary.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        var all = await ChatCalls.MessagesAsync(client, "regen-usage", "?branches=all");
        Assert.Single(all, m => m.GetProperty("role").GetString() == "user");
    }

    [Fact]
    public async Task RegeneratingANamedReplyAnswersItsUserMessageWithOnlyWhatCameBefore()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Text("A1"), FakeReply.Text("A2"), FakeReply.Text("A1 again"));
        var first = await ChatCalls.SendAsync(client, new { message = "Q1", conversation_id = "named" });
        await ChatCalls.SendAsync(client, new { message = "Q2", conversation_id = "named" });

        var events = await ChatCalls.StreamAsync(client, "/api/chat/named/regenerate",
            new { message_id = first.GetProperty("assistant_message").GetProperty("id").GetString() });

        Assert.Equal(["start", "token", "token", "done"], ChatCalls.Types(events));
        Assert.Equal([("system", "You are a helpful assistant."), ("user", "Q1")], _server.Requests[2].Messages);
        var active = await ChatCalls.MessagesAsync(client, "named");
        Assert.Equal(["Q1", "A1 again"], active.Select(m => m.GetProperty("content").GetString()));

        // The next message continues the branch the regenerated reply began.
        _server.Enqueue(FakeReply.Text("A3"));
        await ChatCalls.SendAsync(client, new { message = "Q3", conversation_id = "named" });
        Assert.Equal([("system", "You are a helpful assistant."), ("user", "Q1"), ("assistant", "A1 again"), ("user", "Q3")], _server.Requests[3].Messages);
    }

    [Fact]
    public async Task AMessageSentUnderAnEarlierReplyStartsABranchOfItsOwn()
    {
        using var client = await _fixture.NewTenantAsync();
        var first = await ChatCalls.SendAsync(client, new { message = "Q1", conversation_id = "edit" });
        await ChatCalls.SendAsync(client, new { message = "Q2", conversation_id = "edit" });

        await ChatCalls.SendAsync(client, new { message = "Q2 edited", conversation_id = "edit", parent_message_id = first.GetProperty("assistant_message").GetProperty("id").GetString() });

        var active = await ChatCalls.MessagesAsync(client, "edit");
        Assert.Equal(["Q1", "ok", "Q2 edited", "ok"], active.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(6, (await ChatCalls.MessagesAsync(client, "edit", "?branches=all")).Length);
    }

    [Fact]
    public async Task AReplayedRegenerateWithTheSameIdempotencyKeyCallsNoModel()
    {
        using var client = await _fixture.NewTenantAsync();
        await ChatCalls.SendAsync(client, new { message = "Once more.", conversation_id = "regen-replay" });
        using var first = await client.SendAsync(ChatCalls.Json("/api/chat/regen-replay/regenerate", new { }, "regen-key"));
        var original = await ApiAssert.JsonAsync(first, HttpStatusCode.OK);

        using var again = await client.SendAsync(ChatCalls.Json("/api/chat/regen-replay/regenerate", new { }, "regen-key"));
        var replay = await ApiAssert.JsonAsync(again, HttpStatusCode.OK);

        Assert.Equal(2, _server.Requests.Count);
        Assert.True(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(original.GetProperty("assistant_message").GetProperty("id").GetString(), replay.GetProperty("assistant_message").GetProperty("id").GetString());
        Assert.Equal(3, (await ChatCalls.MessagesAsync(client, "regen-replay", "?branches=all")).Length);
    }

    [Fact]
    public async Task RegeneratingAfterAFailedCallAnswersTheUnansweredMessage()
    {
        using var client = await _fixture.NewTenantAsync();
        _server.Enqueue(FakeReply.Error(500, "down"), FakeReply.Text("Back."));
        using var failed = await client.SendAsync(ChatCalls.Json("/api/chat", new { message = "Hello?", conversation_id = "after-failure" }));
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);

        var regenerated = await ChatCalls.StreamAsync(client, "/api/chat/after-failure/regenerate", new { });

        Assert.Equal("Back.", regenerated[^1].Data.GetProperty("assistant_message").GetProperty("content").GetString());
        Assert.Equal(["Hello?", "Back."], (await ChatCalls.MessagesAsync(client, "after-failure")).Select(m => m.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task RegenerateWithoutABodyAnswersTheEndOfTheActiveBranch()
    {
        using var client = await _fixture.NewTenantAsync();
        await ChatCalls.SendAsync(client, new { message = "Hi", conversation_id = "no-body" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/no-body/regenerate");
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.SendAsync(request);

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Hi", body.GetProperty("user_message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task RegeneratingWhatCannotBeRegeneratedIsRefused()
    {
        using var client = await _fixture.NewTenantAsync();
        var turn = await ChatCalls.SendAsync(client, new { message = "Hi", conversation_id = "refused" });

        using var empty = await client.SendAsync(ChatCalls.Json("/api/chat/nothing-here/regenerate", new { }));
        using var userMessage = await client.SendAsync(ChatCalls.Json("/api/chat/refused/regenerate", new { message_id = turn.GetProperty("user_message").GetProperty("id").GetString() }));
        using var unknown = await client.SendAsync(ChatCalls.Json("/api/chat/refused/regenerate", new { message_id = "not-a-message" }));
        using var badType = await client.PostAsync("/api/chat/refused/regenerate", new StringContent("""{"message_id": 5}""", Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(empty, HttpStatusCode.NotFound, "NOT_FOUND");
        var envelope = await ApiAssert.ErrorAsync(userMessage, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("message_id", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(badType, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task TheActiveBranchIsPagedFromTheNewestMessageBack()
    {
        using var client = await _fixture.NewTenantAsync();
        for (var i = 1; i <= 3; i++)
        {
            await ChatCalls.SendAsync(client, new { message = $"Q{i}", conversation_id = "pages" });
        }

        var first = await client.GetFromJsonAsync<JsonElement>("/api/chat/pages?limit=4");
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/chat/pages?limit=4&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Equal("active", first.GetProperty("branches").GetString());
        Assert.Equal(["Q2", "ok", "Q3", "ok"], first.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(["Q1", "ok"], second.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("?branches=some", "branches")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?cursor=bm9wZQ", "cursor")]
    public async Task AChatReadWithBadParametersIsAValidationError(string query, string field)
    {
        using var client = await _fixture.NewTenantAsync();
        await ChatCalls.SendAsync(client, new { message = "Hi", conversation_id = "params" });

        using var response = await client.GetAsync($"/api/chat/params{query}");

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }
}
