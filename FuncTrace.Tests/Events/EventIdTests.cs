using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>How events are named: generated ids that locate their row, client ids and Idempotency-Keys through a pointer.</summary>
public sealed class EventIdTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task AGeneratedIdDecodesToItsConversationsPartitionAndItsTime()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var timestamp = DateTimeOffset.Parse("2025-06-01T12:34:56.789Z", System.Globalization.CultureInfo.InvariantCulture);

        var stored = await tenant.PostEventAsync(new { conversation_id = "decode", event_type = "x", timestamp, data = new { n = 1 } });

        var id = stored.GetProperty("id").GetString()!;
        Assert.True(EventKeys.IsSortKey(id));
        Assert.Equal(EventKeys.Hash("decode"), EventKeys.ConversationHashOf(id));
        Assert.Equal(timestamp, EventKeys.TimeOf(id));
        var row = await app.Table(StorageNames.EventsTable).GetEntityAsync<TableEntity>(EventKeys.PartitionOf(tenant.Tenant, EventKeys.ConversationHashOf(id)), EventKeys.EventRow(id));
        Assert.Equal(id, row.Value.GetString("Id"));
        Assert.Equal(1, (await GetAsync(tenant.Ingest, $"/api/events/{id}")).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task ReSendingAGeneratedIdWithTheSameBodyIsAReplayAndWithAnotherBodyAConflict()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var body = new { conversation_id = "again", event_type = "x", timestamp = "2025-01-01T00:00:00Z", data = new { n = 1 } };
        var id = (await tenant.PostEventAsync(body)).GetProperty("id").GetString();

        using var same = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id, body.conversation_id, body.event_type, body.timestamp, body.data });
        using var other = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id, body.conversation_id, body.event_type, body.timestamp, data = new { n = 2 } });

        Assert.Equal(id, (await ApiAssert.JsonAsync(same, HttpStatusCode.OK)).GetProperty("id").GetString());
        Assert.Equal("true", same.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
        await ApiAssert.ErrorAsync(other, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Single(Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=again")));
    }

    [Fact]
    public async Task AClientsOwnUlidIsAcceptedAsItsIdAndReplaysExactly()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        // A ULID is 26 Crockford characters, the shape of a generated id, but it names no partition of ours.
        const string ulid = "01JD3W9XQ4Y8T6V2N5B7K0MZRA";
        var body = new { id = ulid, conversation_id = "ulids", event_type = "x", data = new { n = 1 } };

        using var first = await tenant.Ingest.PostAsJsonAsync("/api/events", body);
        using var again = await tenant.Ingest.PostAsJsonAsync("/api/events", body);
        using var other = await tenant.Ingest.PostAsJsonAsync("/api/events", body with { data = new { n = 2 } });

        Assert.Equal(ulid, (await ApiAssert.JsonAsync(first, HttpStatusCode.Created)).GetProperty("id").GetString());
        Assert.Equal(ulid, (await ApiAssert.JsonAsync(again, HttpStatusCode.OK)).GetProperty("id").GetString());
        Assert.Equal("true", again.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
        await ApiAssert.ErrorAsync(other, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(1, (await GetAsync(tenant.Ingest, $"/api/events/{ulid}")).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal([ulid], Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=ulids")));
    }

    [Fact]
    public async Task AGeneratedIdSentForAnotherConversationIsAConflictNotASecondEventWithThatId()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var id = (await tenant.PostEventAsync(new { conversation_id = "first", event_type = "x", data = new { } })).GetProperty("id").GetString();

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id, conversation_id = "second", event_type = "x", data = new { } });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal("first", (await GetAsync(tenant.Ingest, $"/api/events/{id}")).GetProperty("conversation_id").GetString());
        Assert.Empty(Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=second")));
    }

    [Fact]
    public async Task APointerStoredWithoutItsEventIsCompletedByTheRetryAndCountedOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var item = new NewEvent("died-half-way", "pointer", "x", null, JsonSerializer.SerializeToElement(new { n = 1 }), null, null, "m", new EventUsage(10, 5, null));
        var firstAttempt = DateTimeOffset.Parse("2025-02-03T04:05:06.007Z", System.Globalization.CultureInfo.InvariantCulture);
        // What an instance that died between its two writes leaves behind: the pointer alone, with its time and sort key.
        var partition = EventKeys.ConversationPartition(tenant.Tenant, item.ConversationId);
        var sortKey = EventKeys.SortKeyFor(item.Id!, firstAttempt, item.ConversationId);
        await app.Table(StorageNames.EventsTable).AddEntityAsync(EventRows.Pointer(tenant.Tenant, item.Id!, partition, sortKey, EventRows.BodyHash(item), firstAttempt, EventRows.NewAttempt()));
        using (var missing = await tenant.Ingest.GetAsync("/api/events/died-half-way"))
        {
            await ApiAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        }
        var body = new { id = item.Id, conversation_id = item.ConversationId, event_type = item.EventType, data = new { n = 1 }, model = "m", usage = new { prompt_tokens = 10, completion_tokens = 5 } };

        using var retry = await tenant.Ingest.PostAsJsonAsync("/api/events", body);
        using var replay = await tenant.Ingest.PostAsJsonAsync("/api/events", body);

        var completed = await ApiAssert.JsonAsync(retry, HttpStatusCode.Created);
        Assert.Equal(firstAttempt, completed.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
        Assert.Equal(firstAttempt, (await GetAsync(tenant.Ingest, "/api/events/died-half-way")).GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(["died-half-way"], Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=pointer")));
        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        await Eventually.HoldsAsync("the completed event is counted", async () => await views.CounterAsync("Events") == 1);
        Assert.Equal((10, 5, 15, 1), Assert.Single(await views.UsageAsync(Functions.Views.ViewKeys.UsageByDay)).Value);
    }

    [Fact]
    public async Task APointerWithoutItsEventAndAnotherBodyIsStillAConflict()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var item = new NewEvent("died-too", "pointer", "x", null, JsonSerializer.SerializeToElement(new { n = 1 }), null, null, null, null);
        var at = DateTimeOffset.UtcNow;
        await app.Table(StorageNames.EventsTable).AddEntityAsync(EventRows.Pointer(tenant.Tenant, item.Id!,
            EventKeys.ConversationPartition(tenant.Tenant, item.ConversationId), EventKeys.SortKeyFor(item.Id!, at, item.ConversationId), EventRows.BodyHash(item), at, EventRows.NewAttempt()));

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id = item.Id, conversation_id = item.ConversationId, event_type = item.EventType, data = new { n = 2 } });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Empty(Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=pointer")));
    }
}
