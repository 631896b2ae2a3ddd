using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

public sealed class IdempotencyAndBatchTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ReplayingAnEventWithTheSameIdAndBodyReturnsTheStoredEventWithoutADuplicate()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var body = new { id = "evt-" + Guid.NewGuid().ToString("N"), conversation_id = "retry", event_type = "assistant_response", timestamp = "2025-01-01T00:00:00Z", data = new { a = 1 } };

        using var first = await tenant.Ingest.PostAsJsonAsync("/api/events", body);
        using var second = await tenant.Ingest.PostAsJsonAsync("/api/events", body);

        var created = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.False(first.Headers.Contains(EventFunctions.ReplayedHeader));
        Assert.Equal("true", second.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
        Assert.Equal(created.GetProperty("created_at").GetString(), replayed.GetProperty("created_at").GetString());
        Assert.Single(Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=retry")));
        await Eventually.HoldsAsync("the event is pending", async () => Ids(await GetAsync(tenant.Review, "/api/feedback/pending")).Count == 1);
        await Eventually.HoldsAsync("the event is counted", async () => await Views(tenant).CounterAsync("Events") == 1);
        Assert.Equal(1, await Views(tenant).CounterAsync("PendingReviews"));
        Assert.Equal(1, await EventRowsProbe.CountStoredEventsAsync(app.Table(StorageNames.EventsTable), tenant.Tenant));
    }

    [Fact]
    public async Task ReusingAnIdForADifferentBodyIsAConflict()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = "evt-" + Guid.NewGuid().ToString("N");
        await tenant.PostEventAsync(new { id, conversation_id = "c", event_type = "x", data = new { a = 1 } });

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id, conversation_id = "c", event_type = "x", data = new { a = 2 } });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "CONFLICT");
        var stored = await GetAsync(tenant.Ingest, $"/api/events/{id}");
        Assert.Equal(1, stored.GetProperty("data").GetProperty("a").GetInt32());
    }

    [Fact]
    public async Task ABatchValidatesEachItemOnItsOwnAndStoresTheRest()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var existingId = "evt-" + Guid.NewGuid().ToString("N");
        await tenant.PostEventAsync(new { id = existingId, conversation_id = "b1", event_type = "x", data = new { n = 0 } });
        var json = $$$"""
        {"events": [
          {"conversation_id": "b1", "event_type": "x", "data": {"n": 1}},
          {"conversation_id": "", "event_type": "x", "data": {}},
          {"id": "{{{existingId}}}", "conversation_id": "b1", "event_type": "x", "data": {"n": 0}},
          {"id": "{{{existingId}}}", "conversation_id": "b1", "event_type": "x", "data": {"n": 99}},
          "not an object",
          {"conversation_id": "b2", "event_type": "x", "timestamp": "soon", "data": {}},
          {"conversation_id": "b2", "event_type": "x", "data": {"n": 2}}
        ]}
        """;

        using var response = await tenant.Ingest.PostAsync("/api/events/batch", TenantClients.Json(json));

        var body = await ApiAssert.JsonAsync(response, (HttpStatusCode)207);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 7), results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(["created", "error", "duplicate", "error", "error", "error", "created"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.Equal("VALIDATION_ERROR", results[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("CONFLICT", results[3].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, results[0].GetProperty("error").ValueKind);
        var b1 = await GetAsync(tenant.Ingest, "/api/events?conversation_id=b1");
        Assert.Equal([0, 1], b1.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("n").GetInt32()).Order());
    }

    [Fact]
    public async Task AReplayedBatchCreatesNothingNew()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var events = Enumerable.Range(0, 120).Select(i => new { id = $"e{i:D3}", conversation_id = $"c{i % 3}", event_type = "step", data = new { i } }).ToList();

        using var first = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });
        using var second = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });

        var firstBody = await ApiAssert.JsonAsync(first, (HttpStatusCode)207);
        var secondBody = await ApiAssert.JsonAsync(second, (HttpStatusCode)207);
        Assert.Equal(120, firstBody.GetProperty("created").GetInt32());
        Assert.Equal(120, secondBody.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, secondBody.GetProperty("created").GetInt32());
        var c0 = await GetAsync(tenant.Ingest, "/api/events?conversation_id=c0&limit=1000");
        Assert.Equal(40, c0.GetProperty("events").GetArrayLength());
        Assert.Equal(120, await EventRowsProbe.CountStoredEventsAsync(app.Table(StorageNames.EventsTable), tenant.Tenant));
        await Eventually.HoldsAsync("the first batch is counted", async () => await Views(tenant).CounterAsync("Events") == 120);
    }

    [Theory]
    [InlineData("""{"events": []}""")]
    [InlineData("""{"events": {"conversation_id": "c"}}""")]
    [InlineData("""{"items": []}""")]
    public async Task ABatchWithoutAnEventsArrayIsRejected(string json)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/events/batch", TenantClients.Json(json));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task ABatchOfMoreThanFiveHundredEventsIsRejected()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var events = Enumerable.Range(0, 501).Select(i => new { conversation_id = "c", event_type = "x", data = new { } });

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    private TenantViews Views(TenantClients tenant) => new(app.Table(StorageNames.ViewsTable), tenant.Tenant);
}
