using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Faces;

public sealed class SessionTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ASessionIsCreatedReadAndSoftDeleted()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        var session = await CreateSessionAsync(tenant, new { name = "Support chat", metadata = new { channel = "web" } });
        var id = session.GetProperty("session_id").GetString();
        var read = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        using var deleted = await tenant.Ingest.DeleteAsync($"/api/sessions/{id}");
        var afterDelete = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        var listed = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations");

        Assert.Equal("active", session.GetProperty("status").GetString());
        Assert.True(session.GetProperty("created_at").TryGetDateTimeOffset(out _));
        Assert.Equal("Support chat", read.GetProperty("name").GetString());
        Assert.Equal("web", read.GetProperty("metadata").GetProperty("channel").GetString());
        Assert.Equal(0, read.GetProperty("event_count").GetInt64());
        Assert.Equal("archived", (await ApiAssert.JsonAsync(deleted, HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal("archived", afterDelete.GetProperty("status").GetString());
        Assert.Empty(listed.GetProperty("conversations").EnumerateArray());
    }

    [Fact]
    public async Task SessionEventsArePagedByOffsetInTheOrderTheyWereStored()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "paging" })).GetProperty("session_id").GetString();
        var eventIds = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            using var posted = await tenant.Ingest.PostAsJsonAsync($"/api/sessions/{id}/events", new { event_type = i % 2 == 0 ? "step" : "note", data = new { i }, metadata = new { source = "test" } });
            var body = await ApiAssert.JsonAsync(posted, HttpStatusCode.Created);
            Assert.Equal(id, body.GetProperty("session_id").GetString());
            eventIds.Add(body.GetProperty("event_id").GetString()!);
        }

        var page = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?limit=3&offset=2");
        var last = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?limit=3&offset=6");
        var notes = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events?event_type=note");
        var one = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/events/{eventIds[4]}");
        var summary = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");

        Assert.Equal([2, 3, 4], page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.Equal([3L, 4L, 5L], page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.True(page.GetProperty("has_more").GetBoolean());
        Assert.Equal([6], last.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.False(last.GetProperty("has_more").GetBoolean());
        Assert.Equal([1, 3, 5], notes.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.Equal(4, one.GetProperty("data").GetProperty("i").GetInt32());
        Assert.Equal("test", one.GetProperty("metadata").GetProperty("source").GetString());
        Assert.Equal(7, summary.GetProperty("event_count").GetInt64());
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
        Assert.Equal("active", (await tenantA.Ingest.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("/events?offset=-1")]
    [InlineData("/events?offset=20000")]
    [InlineData("/events?offset=two")]
    [InlineData("/events?limit=0")]
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
    [InlineData("[]")]
    public async Task ABadSessionBodyIsAValidationError(string json)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/sessions", TenantClients.Json(json));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("""{"data": {}}""")]
    [InlineData("""{"event_type": "x", "data": "text"}""")]
    [InlineData("""{"event_type": "x", "metadata": "text"}""")]
    [InlineData("""{"event_type": "a/b"}""")]
    public async Task ABadSessionEventIsAValidationError(string json)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await CreateSessionAsync(tenant, new { name = "x" })).GetProperty("session_id").GetString();

        using var response = await tenant.Ingest.PostAsync($"/api/sessions/{id}/events", TenantClients.Json(json));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
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

        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(wrongSession, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    private static async Task<JsonElement> CreateSessionAsync(TenantClients tenant, object body)
    {
        using var response = await tenant.Ingest.PostAsJsonAsync("/api/sessions", body);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }
}
