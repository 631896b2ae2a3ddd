using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Conversations;

/// <summary>Search reads the conversation's own rows, so it needs no views and sees an event at once.</summary>
public sealed class ConversationSearchTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task SearchFindsTheTextInMessagesIgnoringCaseInTheirOrderWithASnippet()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var question = await tenant.PostEventAsync(new { conversation_id = "shop", event_type = "user_message", timestamp = "2025-04-01T10:00:00Z", data = new { message = "Where is my Order 4711? " + new string('x', 200) } });
        await tenant.PostEventAsync(new { conversation_id = "shop", event_type = "tool_call", timestamp = "2025-04-01T10:00:01Z", data = new { message = "order lookup" } });
        var answer = await tenant.PostEventAsync(new { conversation_id = "shop", event_type = "assistant_response", role = "assistant", timestamp = "2025-04-01T10:00:02Z", data = new { response = "Your ORDER ships today." } });
        await tenant.PostEventAsync(new { conversation_id = "shop", event_type = "user_message", timestamp = "2025-04-01T10:00:03Z", data = new { message = "Thanks!" } });

        var found = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/shop/search?q=oRdEr");

        var matches = found.GetProperty("matches").EnumerateArray().ToList();
        Assert.Equal("shop", found.GetProperty("conversation_id").GetString());
        Assert.Equal("oRdEr", found.GetProperty("query").GetString());
        Assert.Equal([question.GetProperty("id").GetString(), answer.GetProperty("id").GetString()], matches.Select(m => m.GetProperty("event_id").GetString()));
        Assert.Equal("Where is my Order 4711? " + new string('x', 73) + "…", matches[0].GetProperty("snippet").GetString());
        Assert.Equal("Your ORDER ships today.", matches[1].GetProperty("snippet").GetString());
        Assert.Equal("assistant", matches[1].GetProperty("role").GetString());
        Assert.Equal("assistant_response", matches[1].GetProperty("event_type").GetString());
        Assert.Equal(4, found.GetProperty("scanned").GetInt32());
        Assert.Equal(JsonValueKind.Null, found.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task MatchesArePagedWithTheCursor()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        for (var i = 0; i < 5; i++)
        {
            await tenant.PostEventAsync(new { conversation_id = "pages", event_type = "user_message", timestamp = $"2025-04-02T10:00:0{i}Z", data = new { message = i % 2 == 0 ? $"needle {i}" : "hay" } });
        }

        var first = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/pages/search?q=needle&limit=2");
        var second = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/conversations/pages/search?q=needle&limit=2&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Equal(["needle 0", "needle 2"], Snippets(first));
        Assert.Equal(["needle 4"], Snippets(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task OneRequestReadsAtMostAThousandEventsAndSaysWhereToGoOn()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var start = DateTimeOffset.Parse("2025-04-03T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        for (var batch = 0; batch < 3; batch++)
        {
            var events = Enumerable.Range(batch * 400, 400).Select(i => new
            {
                conversation_id = "long",
                event_type = "user_message",
                timestamp = start.AddSeconds(i).ToString("o", System.Globalization.CultureInfo.InvariantCulture),
                data = new { message = i == 1100 ? "the needle" : $"message {i}" },
            });
            using var posted = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });
            Assert.Equal(400, (await ApiAssert.JsonAsync(posted, HttpStatusCode.MultiStatus)).GetProperty("created").GetInt32());
        }

        var first = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/long/search?q=NEEDLE");
        var second = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/conversations/long/search?q=NEEDLE&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Empty(first.GetProperty("matches").EnumerateArray());
        Assert.Equal(1000, first.GetProperty("scanned").GetInt32());
        Assert.Equal(["the needle"], Snippets(second));
        Assert.Equal(200, second.GetProperty("scanned").GetInt32());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("/api/conversations/s/search")]
    [InlineData("/api/conversations/s/search?q=%20%20")]
    [InlineData("/api/conversations/s/search?q=a&limit=0")]
    [InlineData("/api/conversations/s/search?q=a&limit=101")]
    [InlineData("/api/conversations/s/search?q=a&cursor=not-a-cursor")]
    [InlineData("/api/conversations/s/search?q=a%0Ab")]
    public async Task BadSearchParametersAreValidationErrors(string url)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "s", event_type = "user_message", data = new { message = "a" } });

        using var response = await tenant.Ingest.GetAsync(url);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AQueryTooLongIsRefusedAndAnotherTenantsConversationIsNotFound()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var stranger = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "mine", event_type = "user_message", data = new { message = "secret" } });

        using var tooLong = await tenant.Ingest.GetAsync($"/api/conversations/mine/search?q={new string('a', 201)}");
        using var unknown = await tenant.Ingest.GetAsync("/api/conversations/nope/search?q=secret");
        using var theirs = await stranger.Ingest.GetAsync("/api/conversations/mine/search?q=secret");

        await ApiAssert.ErrorAsync(tooLong, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(theirs, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    private static List<string?> Snippets(JsonElement page) =>
        page.GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("snippet").GetString()).ToList();
}
