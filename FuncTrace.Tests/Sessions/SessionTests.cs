using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Conversations;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sessions;

public sealed class SessionTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ASessionIsCreatedReadAndSoftDeleted()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        var session = await CreateSessionAsync(tenant, new { name = "Support chat", metadata = new { channel = "web" } });
        var id = session.GetProperty("session_id").GetString();
        var read = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        var listedBefore = await ConversationTests.WaitForAsync(tenant, "/api/conversations", l => ConversationTests.Ids(l) is [_]);
        using var deleted = await tenant.Ingest.DeleteAsync($"/api/sessions/{id}");
        var afterDelete = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        var listedAfter = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations");

        Assert.Equal("active", session.GetProperty("status").GetString());
        Assert.True(session.GetProperty("created_at").TryGetDateTimeOffset(out _));
        Assert.Equal("Support chat", read.GetProperty("name").GetString());
        Assert.Equal("web", read.GetProperty("metadata").GetProperty("channel").GetString());
        Assert.Equal("active", read.GetProperty("status").GetString());
        Assert.Equal(0, read.GetProperty("event_count").GetInt64());
        Assert.Equal(id, ConversationTests.Ids(listedBefore).Single());
        Assert.Equal("Support chat", listedBefore.GetProperty("conversations")[0].GetProperty("name").GetString());
        Assert.Equal("archived", (await ApiAssert.JsonAsync(deleted, HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("archived", afterDelete.GetProperty("status").GetString());
        Assert.Empty(listedAfter.GetProperty("conversations").EnumerateArray());
    }

    [Fact]
    public async Task SessionEventsAreNumberedAndPagedByOffsetInTheOrderTheyWereStored()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "paging" })).GetProperty("session_id").GetString();
        var eventIds = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            using var posted = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{id}/events", new { event_type = i % 2 == 0 ? "step" : "note", data = new { i }, metadata = new { source = "test" } });
            var body = await ApiAssert.JsonAsync(posted, HttpStatusCode.Created);
            Assert.Equal(id, body.GetProperty("session_id").GetString());
            Assert.Equal(i + 1, body.GetProperty("sequence").GetInt64());
            eventIds.Add(body.GetProperty("event_id").GetString()!);
        }

        var page = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?limit=3&offset=2");
        var last = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?limit=3&offset=6");
        var notes = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?event_type=note");
        var secondNote = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?event_type=note&offset=1&limit=1");
        var one = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events/{eventIds[4]}");
        var summary = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");

        Assert.Equal([2, 3, 4], Data(page));
        Assert.Equal([3L, 4L, 5L], page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(3, page.GetProperty("limit").GetInt32());
        Assert.Equal(2, page.GetProperty("offset").GetInt32());
        Assert.Equal([6], Data(last));
        Assert.False(last.GetProperty("has_more").GetBoolean());
        Assert.Equal([1, 3, 5], Data(notes));
        Assert.Equal([3], Data(secondNote));
        Assert.True(secondNote.GetProperty("has_more").GetBoolean());
        Assert.Equal(4, one.GetProperty("data").GetProperty("i").GetInt32());
        Assert.Equal(5, one.GetProperty("sequence").GetInt64());
        Assert.Equal("test", one.GetProperty("metadata").GetProperty("source").GetString());
        Assert.Equal(7, summary.GetProperty("event_count").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARetriedSessionEventIsStoredOnceAndAnsweredWithItsSequence(bool byHeader)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "retries" })).GetProperty("session_id").GetString();

        using var first = await PostEventAsync(tenant, id!, new { id = byHeader ? null : "step-1", event_type = "step", data = new { n = 1 } }, byHeader ? "key-1" : null);
        using var retried = await PostEventAsync(tenant, id!, new { id = byHeader ? null : "step-1", event_type = "step", data = new { n = 1 } }, byHeader ? "key-1" : null);
        using var reused = await PostEventAsync(tenant, id!, new { id = byHeader ? null : "step-1", event_type = "step", data = new { n = 2 } }, byHeader ? "key-1" : null);
        using var next = await PostEventAsync(tenant, id!, new { event_type = "step", data = new { n = 3 } }, null);

        var stored = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(retried, HttpStatusCode.OK);
        Assert.Equal("true", retried.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(stored.GetProperty("event_id").GetString(), replayed.GetProperty("event_id").GetString());
        Assert.Equal(1, replayed.GetProperty("sequence").GetInt64());
        await ApiAssert.ErrorAsync(reused, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(2, (await ApiAssert.JsonAsync(next, HttpStatusCode.Created)).GetProperty("sequence").GetInt64());
        var list = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events");
        Assert.Equal([1, 3], list.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("n").GetInt32()));
        Assert.Equal(2, (await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}")).GetProperty("event_count").GetInt64());
    }

    [Fact]
    public async Task ConcurrentWritersToOneSessionGetEveryNumberOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "busy" })).GetProperty("session_id").GetString()!;
        const int Writers = 16;

        var answers = await Task.WhenAll(Enumerable.Range(0, Writers).Select(async i =>
        {
            using var response = await PostEventAsync(tenant, id, new { event_type = "step", data = new { i } }, null);
            return await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        }));

        Assert.Equal(Enumerable.Range(1, Writers).Select(n => (long)n), answers.Select(a => a.GetProperty("sequence").GetInt64()).Order());
        var list = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?limit=100");
        var listed = list.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, Writers).Select(n => (long)n), listed.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(answers.Select(a => a.GetProperty("event_id").GetString()).Order(), listed.Select(e => e.GetProperty("event_id").GetString()).Order());
        var conversation = await ConversationTests.WaitForAsync(tenant, $"/api/conversations/{id}", c => ConversationTests.EventCount(c.GetProperty("conversation")) >= Writers);
        Assert.Equal(Writers, ConversationTests.EventCount(conversation.GetProperty("conversation")));
        Assert.Equal("busy", conversation.GetProperty("conversation").GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnotherTenantCannotReadWriteOrDeleteTheSession()
    {
        using var tenantA = await TenantClients.CreateAsync(app);
        using var tenantB = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenantA, new { name = "private" })).GetProperty("session_id").GetString();
        using var posted = await tenantA.Ingest.PostAsJsonAsync($"/api/sessions/{id}/events", new { event_type = "step", data = new { } });
        var eventId = (await ApiAssert.JsonAsync(posted, HttpStatusCode.Created)).GetProperty("event_id").GetString();

        using var read = await tenantB.Ingest.GetAsync($"/api/sessions/{id}");
        using var write = await tenantB.Ingest.PostAsJsonAsync($"/api/sessions/{id}/events", new { event_type = "step", data = new { } });
        using var list = await tenantB.Ingest.GetAsync($"/api/sessions/{id}/events");
        using var one = await tenantB.Ingest.GetAsync($"/api/sessions/{id}/events/{eventId}");
        using var stream = await tenantB.Ingest.GetAsync($"/api/sessions/{id}/events/stream");
        using var delete = await tenantB.Ingest.DeleteAsync($"/api/sessions/{id}");

        foreach (var response in new[] { read, write, list, one, stream, delete })
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
        }
        var stillThere = await tenantA.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        Assert.Equal("active", stillThere.GetProperty("status").GetString());
        Assert.Equal(1, stillThere.GetProperty("event_count").GetInt64());
    }

    [Fact]
    public async Task APlainConversationIsNoSession()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "plain", event_type = "step", data = new { } });

        using var read = await tenant.Ingest.GetAsync("/api/sessions/plain");
        using var write = await tenant.Ingest.PostAsJsonAsync("/api/sessions/plain/events", new { event_type = "step" });

        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(write, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("/events?offset=-1")]
    [InlineData("/events?offset=20000")]
    [InlineData("/events?offset=two")]
    [InlineData("/events?limit=0")]
    [InlineData("/events?limit=1001")]
    public async Task BadPagingIsAValidationError(string suffix)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "x" })).GetProperty("session_id").GetString();

        using var response = await tenant.Ingest.GetAsync($"/api/sessions/{id}{suffix}");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("""{"name": 5}""")]
    [InlineData("""{"name": "x", "metadata": [1]}""")]
    [InlineData("""{"name": "x", "metadata": "text"}""")]
    [InlineData("[]")]
    [InlineData("{\"name\": \"ok\", \"x\": \"\\uD800\"}")]
    public async Task ABadSessionBodyIsAValidationError(string json)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/sessions", TenantClients.Json(json));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task ASessionNameOrMetadataTooLargeIsAValidationErrorNamingTheField()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var longName = await tenant.Ingest.PostAsJsonAsync("/api/sessions", new { name = new string('n', 201) });
        using var bigMetadata = await tenant.Ingest.PostAsJsonAsync("/api/sessions", new { name = "x", metadata = new { blob = new string('m', 17_000) } });

        var name = await ApiAssert.ErrorAsync(longName, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var metadata = await ApiAssert.ErrorAsync(bigMetadata, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("name", name.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        Assert.Equal("metadata", metadata.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("""{"data": {}}""")]
    [InlineData("""{"event_type": "x", "data": "text"}""")]
    [InlineData("""{"event_type": "x", "metadata": "text"}""")]
    [InlineData("""{"event_type": "a/b"}""")]
    [InlineData("""{"event_type": "x", "id": "a#b"}""")]
    public async Task ABadSessionEventIsAValidationError(string json)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "x" })).GetProperty("session_id").GetString();

        using var response = await tenant.Ingest.PostAsync($"/api/sessions/{id}/events", TenantClients.Json(json));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(0, (await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}")).GetProperty("event_count").GetInt64());
    }

    [Fact]
    public async Task EventsOfAnUnknownSessionOrOfAnotherSessionAreNotFound()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var first = (await CreateSessionAsync(tenant, new { name = "one" })).GetProperty("session_id").GetString();
        var second = (await CreateSessionAsync(tenant, new { name = "two" })).GetProperty("session_id").GetString();
        using var posted = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{first}/events", new { event_type = "step", data = new { } });
        var eventId = (await ApiAssert.JsonAsync(posted, HttpStatusCode.Created)).GetProperty("event_id").GetString();

        using var unknown = await tenant.Ingest.PostAsJsonAsync("/api/sessions/no-such-session/events", new { event_type = "step" });
        using var wrongSession = await tenant.Ingest.GetAsync($"/api/sessions/{second}/events/{eventId}");
        using var unknownEvent = await tenant.Ingest.GetAsync($"/api/sessions/{first}/events/no-such-event");

        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(wrongSession, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(unknownEvent, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task AReviewKeyReadsSessionsButCannotWriteThem()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "x" })).GetProperty("session_id").GetString();

        using var create = await tenant.Review.PostAsJsonAsync("/api/sessions", new { name = "y" });
        using var write = await tenant.Review.PostAsJsonAsync($"/api/sessions/{id}/events", new { event_type = "step" });
        using var delete = await tenant.Review.DeleteAsync($"/api/sessions/{id}");
        using var read = await tenant.Review.GetAsync($"/api/sessions/{id}");

        foreach (var response in new[] { create, write, delete })
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        }
        Assert.Equal("x", (await ApiAssert.JsonAsync(read, HttpStatusCode.OK)).GetProperty("name").GetString());
    }

    internal static async Task<JsonElement> CreateSessionAsync(TenantClients tenant, object body)
    {
        using var response = await tenant.Ingest.PostAsJsonAsync("/api/sessions", body);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    private static async Task<HttpResponseMessage> PostEventAsync(TenantClients tenant, string sessionId, object body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{sessionId}/events") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await tenant.Ingest.SendAsync(request);
    }

    private static IEnumerable<int> Data(JsonElement page) =>
        page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32());
}
