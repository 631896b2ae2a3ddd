using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Conversations;

/// <summary>Summaries and lists are derived by the views: each test waits for them before it looks.</summary>
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

        var read = await WaitForAsync(tenant, "/api/conversations/sum?limit=2", r => EventCount(r.GetProperty("conversation")) == 5);

        var summary = read.GetProperty("conversation");
        Assert.Equal("sum", summary.GetProperty("conversation_id").GetString());
        Assert.Equal(new string('q', 100), summary.GetProperty("title").GetString());
        Assert.Equal(4, summary.GetProperty("message_count").GetInt64());
        Assert.Equal(DateTimeOffset.Parse("2025-02-01T09:00:00Z", CultureInfo.InvariantCulture), summary.GetProperty("created_at").GetDateTimeOffset());
        Assert.Equal(DateTimeOffset.Parse("2025-02-01T09:00:04Z", CultureInfo.InvariantCulture), summary.GetProperty("last_activity").GetDateTimeOffset());
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
    public async Task TheEventsOfAConversationAreReadAtOnceAndPagedWithTheCursor()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await tenant.PostEventAsync(new { conversation_id = "paged", event_type = "step", timestamp = $"2025-02-02T00:00:0{i}Z", data = new { i } });
        }

        var first = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/paged?limit=2");
        var second = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/conversations/paged?limit=2&cursor={first.GetProperty("next_cursor").GetString()}");

        Assert.Equal([0, 1], first.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.Equal([2], second.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task ConversationsAreListedNewestActivityFirstAndPaged()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "old", event_type = "user_message", timestamp = "2025-01-01T00:00:00Z", data = new { message = "old" } });
        await tenant.PostEventAsync(new { conversation_id = "mid", event_type = "user_message", timestamp = "2025-01-02T00:00:00Z", data = new { message = "mid" } });
        await tenant.PostEventAsync(new { conversation_id = "new", event_type = "user_message", timestamp = "2025-01-03T00:00:00Z", data = new { message = "new" } });
        await tenant.PostEventAsync(new { conversation_id = "old", event_type = "user_message", timestamp = "2025-01-04T00:00:00Z", data = new { message = "old again" } });
        await WaitForAsync(tenant, "/api/conversations", l => Ids(l) is ["old", "new", "mid"] && EventCount(l.GetProperty("conversations")[0]) == 2);

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
        await WaitForAsync(tenant, "/api/conversations", l => Ids(l).Count == 3);

        using var archived = await tenant.Ingest.PostAsync("/api/conversations/archive-me/archive", null);
        using var deleted = await tenant.Ingest.DeleteAsync("/api/conversations/delete-me");
        await tenant.PostEventAsync(new { conversation_id = "archive-me", event_type = "user_message", data = new { message = "still archived" } });

        Assert.True((await ApiAssert.JsonAsync(archived, HttpStatusCode.OK)).GetProperty("archived").GetBoolean());
        Assert.True((await ApiAssert.JsonAsync(deleted, HttpStatusCode.OK)).GetProperty("archived").GetBoolean());
        var byId = await WaitForAsync(tenant, "/api/conversations/archive-me", r => EventCount(r.GetProperty("conversation")) == 2);
        Assert.True(byId.GetProperty("conversation").GetProperty("archived").GetBoolean());
        Assert.True(byId.GetProperty("conversation").GetProperty("archived_at").TryGetDateTimeOffset(out _));
        Assert.Equal(2, byId.GetProperty("events").GetArrayLength());
        Assert.Equal(["keep"], Ids(await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations")));
        var all = Ids(await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?include_archived=true"));
        Assert.Equal(["archive-me", "delete-me", "keep"], all.Order());
    }

    [Fact]
    public async Task ArchivingTwiceChangesNothing()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "twice", event_type = "user_message", data = new { message = "hi" } });
        await WaitForAsync(tenant, "/api/conversations", l => Ids(l) is ["twice"]);

        using var first = await tenant.Ingest.PostAsync("/api/conversations/twice/archive", null);
        using var second = await tenant.Ingest.DeleteAsync("/api/conversations/twice");

        var firstBody = await ApiAssert.JsonAsync(first, HttpStatusCode.OK);
        var secondBody = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(firstBody.GetProperty("archived_at").GetDateTimeOffset(), secondBody.GetProperty("archived_at").GetDateTimeOffset());
        Assert.Single(Ids(await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?include_archived=true")));
    }

    [Fact]
    public async Task TheUserFilterMatchesTheOwnerCaseInsensitively()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "mine", event_type = "user_message", user = "me@example.com", data = new { message = "a" } });
        await tenant.PostEventAsync(new { conversation_id = "theirs", event_type = "user_message", user = "them@example.com", data = new { message = "b" } });
        await WaitForAsync(tenant, "/api/conversations", l => Ids(l).Count == 2);

        var mine = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?user=ME@example.com");

        Assert.Equal(["mine"], Ids(mine));
    }

    [Fact]
    public async Task AnotherTenantSeesNoneOfTheseConversations()
    {
        using var tenantA = await TenantClients.CreateAsync(app);
        using var tenantB = await TenantClients.CreateAsync(app);
        await tenantA.PostEventAsync(new { conversation_id = "private", event_type = "user_message", data = new { message = "secret" } });
        await WaitForAsync(tenantA, "/api/conversations", l => Ids(l) is ["private"]);

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
    [InlineData("/api/conversations/x?cursor=not-a-cursor")]
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

    [Theory]
    [InlineData("GET", "/api/conversations/{0}")]
    [InlineData("DELETE", "/api/conversations/{0}")]
    [InlineData("POST", "/api/conversations/{0}/archive")]
    public async Task AnIdNoConversationCouldHaveIsNotFound(string method, string template)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        foreach (var id in new[] { new string('|', 200), "a%23b", "a%5Cb", "%01", new string('c', 257) })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), string.Format(CultureInfo.InvariantCulture, template, id.Contains('%', StringComparison.Ordinal) ? id : Uri.EscapeDataString(id)));
            using var response = await tenant.Ingest.SendAsync(request);

            await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
        }
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
        var batch0 = (await WaitForAsync(tenant, "/api/conversations/batch0", r => EventCount(r.GetProperty("conversation")) >= 15)).GetProperty("conversation");
        Assert.Equal(15, EventCount(batch0));
        Assert.Equal(30, batch0.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("m0", batch0.GetProperty("title").GetString());
        Assert.Equal("m28", batch0.GetProperty("last_assistant_preview").GetString());
    }

    /// <summary>Reads <paramref name="url"/> until <paramref name="ready"/> holds (the views have caught up); returns that answer.</summary>
    internal static async Task<JsonElement> WaitForAsync(TenantClients tenant, string url, Func<JsonElement, bool> ready)
    {
        var last = default(JsonElement);
        await Eventually.HoldsAsync($"{url} shows what was written", async () =>
        {
            using var response = await tenant.Ingest.GetAsync(url);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            last = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
            return ready(last);
        });
        return last;
    }

    internal static long EventCount(JsonElement summary) => summary.GetProperty("event_count").GetInt64();

    internal static List<string?> Ids(JsonElement page) =>
        page.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("conversation_id").GetString()).ToList();
}
