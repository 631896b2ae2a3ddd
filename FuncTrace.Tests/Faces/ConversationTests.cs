using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Faces;

public sealed class ConversationTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task AConversationSummarisesItsEventsAsTheyArrive()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var longQuestion = new string('q', 150);
        await tenant.PostEventAsync(new { conversation_id = "sum", event_type = "user_message", user = "Owner@Example.com", timestamp = "2025-02-01T09:00:00Z", data = new { message = longQuestion } });
        await tenant.PostEventAsync(new { conversation_id = "sum", event_type = "tool_call", timestamp = "2025-02-01T09:00:01Z", data = new { tool = "search" } });
        await tenant.PostEventAsync(new
        {
            conversation_id = "sum", event_type = "assistant_response", role = "assistant", model = "gpt-4o", timestamp = "2025-02-01T09:00:02Z",
            data = new { response = "First answer" }, usage = new { prompt_tokens = 100, completion_tokens = 20, total_tokens = 120 },
        });
        await tenant.PostEventAsync(new { conversation_id = "sum", event_type = "user_message", timestamp = "2025-02-01T09:00:03Z", data = new { message = "And then?" } });
        await tenant.PostEventAsync(new
        {
            conversation_id = "sum", event_type = "assistant_response", timestamp = "2025-02-01T09:00:04Z",
            data = new { content = "Second answer" }, usage = new { prompt_tokens = 200, completion_tokens = 30 },
        });

        var read = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/sum?limit=2");

        var summary = read.GetProperty("conversation");
        Assert.Equal("sum", summary.GetProperty("conversation_id").GetString());
        Assert.Equal(new string('q', 100), summary.GetProperty("title").GetString());
        Assert.Equal(4, summary.GetProperty("message_count").GetInt64());
        Assert.Equal(5, summary.GetProperty("event_count").GetInt64());
        Assert.Equal(DateTimeOffset.Parse("2025-02-01T09:00:04Z", System.Globalization.CultureInfo.InvariantCulture), summary.GetProperty("last_activity").GetDateTimeOffset());
        Assert.Equal("Second answer", summary.GetProperty("last_assistant_preview").GetString());
        Assert.Equal(300, summary.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(50, summary.GetProperty("usage").GetProperty("completion_tokens").GetInt64());
        Assert.Equal(350, summary.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.False(summary.GetProperty("archived").GetBoolean());
        Assert.Equal("owner@example.com", summary.GetProperty("owner").GetString());
        Assert.Equal(2, read.GetProperty("events").GetArrayLength());
        Assert.Equal("tool_call", read.GetProperty("events")[1].GetProperty("event_type").GetString());
        Assert.NotNull(read.GetProperty("next_cursor").GetString());
    }

    [Fact]
    public async Task ConversationsAreListedNewestActivityFirstAndPaged()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "old", event_type = "user_message", timestamp = "2025-01-01T00:00:00Z", data = new { message = "old" } });
        await tenant.PostEventAsync(new { conversation_id = "mid", event_type = "user_message", timestamp = "2025-01-02T00:00:00Z", data = new { message = "mid" } });
        await tenant.PostEventAsync(new { conversation_id = "new", event_type = "user_message", timestamp = "2025-01-03T00:00:00Z", data = new { message = "new" } });
        await tenant.PostEventAsync(new { conversation_id = "old", event_type = "user_message", timestamp = "2025-01-04T00:00:00Z", data = new { message = "old again" } });

        var first = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?limit=2");
        var second = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/conversations?limit=2&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Equal(["old", "new"], Ids(first));
        Assert.Equal(["mid"], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Equal("old", first.GetProperty("conversations")[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task ArchivedAndDeletedConversationsLeaveTheListButStayReadableById()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        foreach (var id in new[] { "keep", "archive-me", "delete-me" })
        {
            await tenant.PostEventAsync(new { conversation_id = id, event_type = "user_message", data = new { message = id } });
        }

        using var archived = await tenant.Ingest.PostAsync("/api/conversations/archive-me/archive", null);
        using var deleted = await tenant.Ingest.DeleteAsync("/api/conversations/delete-me");
        await tenant.PostEventAsync(new { conversation_id = "archive-me", event_type = "user_message", data = new { message = "still archived" } });

        Assert.True((await ApiAssert.JsonAsync(archived, HttpStatusCode.OK)).GetProperty("archived").GetBoolean());
        Assert.True((await ApiAssert.JsonAsync(deleted, HttpStatusCode.OK)).GetProperty("archived").GetBoolean());
        Assert.Equal(["keep"], Ids(await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations")));
        var all = Ids(await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?include_archived=true"));
        Assert.Equal(["archive-me", "delete-me", "keep"], all.Order());
        var byId = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/archive-me");
        Assert.True(byId.GetProperty("conversation").GetProperty("archived").GetBoolean());
        Assert.Equal(2, byId.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task TheUserFilterMatchesTheOwnerCaseInsensitively()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "mine", event_type = "user_message", user = "me@example.com", data = new { message = "a" } });
        await tenant.PostEventAsync(new { conversation_id = "theirs", event_type = "user_message", user = "them@example.com", data = new { message = "b" } });

        var mine = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?user=ME@example.com");

        Assert.Equal(["mine"], Ids(mine));
    }

    [Fact]
    public async Task AnotherTenantSeesNoneOfTheseConversations()
    {
        using var tenantA = await TenantClients.CreateAsync(app);
        using var tenantB = await TenantClients.CreateAsync(app);
        await tenantA.PostEventAsync(new { conversation_id = "private", event_type = "user_message", data = new { message = "secret" } });

        var listB = await tenantB.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?include_archived=true");
        using var readB = await tenantB.Ingest.GetAsync("/api/conversations/private");
        using var archiveB = await tenantB.Ingest.PostAsync("/api/conversations/private/archive", null);

        Assert.Empty(Ids(listB));
        await ApiAssert.ErrorAsync(readB, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(archiveB, HttpStatusCode.NotFound, "NOT_FOUND");
        var stillThere = await tenantA.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/private");
        Assert.False(stillThere.GetProperty("conversation").GetProperty("archived").GetBoolean());
    }

    [Theory]
    [InlineData("/api/conversations?limit=0")]
    [InlineData("/api/conversations?limit=many")]
    [InlineData("/api/conversations?include_archived=yes")]
    [InlineData("/api/conversations?cursor=not-a-cursor")]
    [InlineData("/api/conversations/x?limit=5000")]
    public async Task BadQueryParametersAreValidationErrors(string url)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "x", event_type = "user_message", data = new { message = "x" } });

        using var response = await tenant.Ingest.GetAsync(url);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AnUnknownConversationIsNotFoundAndAReviewKeyCannotArchive()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "x", event_type = "user_message", data = new { message = "x" } });

        using var unknown = await tenant.Ingest.GetAsync("/api/conversations/nope");
        using var archiveUnknown = await tenant.Ingest.DeleteAsync("/api/conversations/nope");
        using var byReviewer = await tenant.Review.PostAsync("/api/conversations/x/archive", null);

        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(archiveUnknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(byReviewer, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task ABatchFoldsSeveralEventsOfOneConversationIntoItsSummary()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var events = Enumerable.Range(0, 30).Select(i => new
        {
            conversation_id = $"batch{i % 2}", event_type = i % 3 == 0 ? "user_message" : "assistant_response",
            timestamp = $"2025-03-01T00:00:{i:D2}Z", data = new { message = $"m{i}" }, usage = new { prompt_tokens = 1, completion_tokens = 1 },
        }).ToList();

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });

        Assert.Equal(30, (await ApiAssert.JsonAsync(response, (HttpStatusCode)207)).GetProperty("created").GetInt32());
        var batch0 = (await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/batch0")).GetProperty("conversation");
        Assert.Equal(15, batch0.GetProperty("event_count").GetInt64());
        Assert.Equal(30, batch0.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("m0", batch0.GetProperty("title").GetString());
        Assert.Equal("m28", batch0.GetProperty("last_assistant_preview").GetString());
    }

    private static List<string?> Ids(JsonElement page) =>
        page.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("conversation_id").GetString()).ToList();
}
