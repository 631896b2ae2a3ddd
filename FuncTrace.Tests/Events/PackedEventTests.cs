using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Events.ReviewClaimTests;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>A batch's events of one conversation and millisecond share rows (<see cref="PackedEvents"/>); every read and write sees each one.</summary>
public sealed class PackedEventTests(PackedEventTests.App app) : IClassFixture<PackedEventTests.App>
{
    public sealed class App() : FuncTraceApp(new Dictionary<string, string?> { ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0" });

    private const string Conversation = "packed";

    [Fact]
    public async Task ABatchOfOneConversationIsStoredInPagesAndEveryReadServesEachEventInOrder()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        // Before and after the batch's millisecond, events stored alone; the batch itself: 120 without a timestamp.
        var before = await tenant.PostEventAsync(new { conversation_id = Conversation, event_type = "step", timestamp = "2020-01-01T00:00:00Z", data = new { n = -1 } });
        var batch = Enumerable.Range(0, 120).Select(n => new
        {
            conversation_id = Conversation, event_type = n % 3 == 0 ? "assistant_response" : "step", model = "m",
            usage = new { prompt_tokens = 2, completion_tokens = 1 }, data = new { n },
        }).ToList();
        var ids = await BatchIdsAsync(tenant, batch);
        var after = await tenant.PostEventAsync(new { conversation_id = Conversation, event_type = "step", timestamp = "9000-01-01T00:00:00Z", data = new { n = 120 } });

        var rows = await RowsAsync(tenant.Tenant);
        Assert.Equal([50, 50, 20], rows.Where(PackedEvents.IsPage).Select(r => r.GetInt32("Members")!.Value).ToArray());
        Assert.Equal(2, rows.Count(r => !PackedEvents.IsPage(r)));
        Assert.All(ids, id => Assert.True(EventKeys.IsPacked(id), id));

        var expected = new[] { before.GetProperty("id").GetString()! }.Concat(ids).Append(after.GetProperty("id").GetString()!).ToList();
        var oldest = await AllAsync(tenant.Ingest, $"/api/events?conversation_id={Conversation}&limit=7");
        Assert.Equal(expected, oldest.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(Enumerable.Range(-1, 122), oldest.Select(e => e.GetProperty("data").GetProperty("n").GetInt32()));
        var newest = await AllAsync(tenant.Ingest, $"/api/events?conversation_id={Conversation}&order=desc&limit=9");
        Assert.Equal(Enumerable.Reverse(expected), newest.Select(e => e.GetProperty("id").GetString()));
        var responses = await AllAsync(tenant.Ingest, $"/api/events?conversation_id={Conversation}&event_type=assistant_response&limit=6");
        Assert.Equal(ids.Where((_, n) => n % 3 == 0), responses.Select(e => e.GetProperty("id").GetString()));

        var one = await GetAsync(tenant.Ingest, $"/api/events/{ids[77]}");
        Assert.Equal(77, one.GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal("m", one.GetProperty("model").GetString());
        Assert.Equal(2, one.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());

        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        await Eventually.HoldsAsync("each event is counted once", async () => await views.CounterAsync("Events") == 122);
        await Eventually.HoldsAsync("the responses are pending review", async () => await PendingCountAsync(tenant) == 40);
        var byType = await AllAsync(tenant.Ingest, "/api/events?event_type=assistant_response&limit=15");
        Assert.Equal(ids.Where((_, n) => n % 3 == 0).Order(StringComparer.Ordinal), byType.Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        var pending = await AllAsync(tenant.Review, "/api/feedback/pending?limit=10");
        Assert.Equal(40, pending.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        var usage = Assert.Single(await views.UsageAsync(Functions.Views.ViewKeys.UsageByMonth));
        Assert.Equal((240L, 120L, 360L, 120L), usage.Value);
    }

    [Fact]
    public async Task VerdictsOnEventsOfOnePageAtOnceAllLandAndTheFirstVerdictOfEachStands()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var ids = await BatchIdsAsync(tenant, Enumerable.Range(0, 20).Select(n => new { conversation_id = Conversation, event_type = "assistant_response", data = new { n } }).ToList());
        Assert.Single(await RowsAsync(tenant.Tenant), PackedEvents.IsPage);
        await Eventually.HoldsAsync("all twenty are pending", async () => await PendingCountAsync(tenant) == 20);

        // Every event gets a verdict at once, and the first ten a second, different one too.
        var attempts = ids.Select((id, n) => (Id: id, Status: n % 2 == 0 ? "approved" : "rejected"))
            .Concat(ids.Take(10).Select((id, n) => (Id: id, Status: n % 2 == 0 ? "rejected" : "approved"))).ToList();
        var answers = await Task.WhenAll(attempts.Select(async a =>
        {
            using var response = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = a.Id, status = a.Status });
            return (a.Id, a.Status, response.StatusCode);
        }));

        foreach (var (id, n) in ids.Select((id, n) => (id, n)))
        {
            var mine = answers.Where(a => a.Id == id).ToList();
            Assert.True(mine.Count(a => a.StatusCode == HttpStatusCode.Created) == 1, $"{id}: {string.Join(", ", mine.Select(a => $"{a.Status} {(int)a.StatusCode}"))}");
            var won = mine.Single(a => a.StatusCode == HttpStatusCode.Created);
            Assert.All(mine.Where(a => a != won), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
            Assert.Equal(won.Status, (await GetAsync(tenant.Ingest, $"/api/events/{id}")).GetProperty("review_status").GetString());
            Assert.Equal(n, (await GetAsync(tenant.Ingest, $"/api/events/{id}")).GetProperty("data").GetProperty("n").GetInt32());
        }
        await Eventually.HoldsAsync("none is pending", async () => await PendingCountAsync(tenant) == 0);
        Assert.Empty(await AllAsync(tenant.Review, "/api/feedback/pending"));
    }

    [Fact]
    public async Task ABatchSentAgainWithItsIdsIsAReplayAndADifferentBodyUnderOneOfThemIsAConflict()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var events = Enumerable.Range(0, 60).Select(n => new { conversation_id = Conversation, event_type = "step", data = new { n } }).ToList();
        var ids = await BatchIdsAsync(tenant, events);
        // The same bodies, now with the ids the batch answered: what a client sends when it did not hear that answer.
        var again = events.Select((e, n) => new { id = ids[n], e.conversation_id, e.event_type, e.data }).ToList();

        using var replay = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = again });
        var body = await ApiAssert.JsonAsync(replay, (HttpStatusCode)207);
        using var single = await tenant.Ingest.PostAsJsonAsync("/api/events", again[59]);
        using var changed = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id = ids[3], conversation_id = Conversation, event_type = "step", data = new { n = 1000 } });

        Assert.Equal(60, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(ids, body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        await ApiAssert.ErrorAsync(changed, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(60, await EventRowsProbe.CountStoredEventsAsync(app.Table(StorageNames.EventsTable), tenant.Tenant));
        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        await Eventually.HoldsAsync("sixty are counted", async () => await views.CounterAsync("Events") == 60);
        await Task.Delay(1500);
        Assert.Equal(60, await views.CounterAsync("Events"));
    }

    [Fact]
    public async Task TheIdsOfAPageThatWasNeverStoredAreStoredOnceWhenSentAgain()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        // What a batch whose storage never answered gave back: ids of a page no row holds.
        var timestamp = DateTimeOffset.Parse("2026-06-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var page = EventKeys.NewPageKey(timestamp, Conversation);
        var lost = Enumerable.Range(0, 3).Select(n => new { id = EventKeys.MemberSortKey(page, n), conversation_id = Conversation, event_type = "step", timestamp, data = new { n } }).ToList();

        using var first = await tenant.Ingest.PostAsJsonAsync("/api/events", lost[1]);
        using var batch = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = lost });
        using var replay = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = lost });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var answered = await ApiAssert.JsonAsync(batch, (HttpStatusCode)207);
        Assert.Equal((2, 1), (answered.GetProperty("created").GetInt32(), answered.GetProperty("duplicates").GetInt32()));
        Assert.Equal(3, (await ApiAssert.JsonAsync(replay, (HttpStatusCode)207)).GetProperty("duplicates").GetInt32());
        // The page now holds the event sent first; the two sent after it are rows of their own.
        var rows = await RowsAsync(tenant.Tenant);
        Assert.Equal(1, Assert.Single(rows, PackedEvents.IsPage).GetInt32("Members"));
        Assert.Equal(2, rows.Count(r => !PackedEvents.IsPage(r)));
        var listed = await AllAsync(tenant.Ingest, $"/api/events?conversation_id={Conversation}&limit=2");
        Assert.Equal(lost.Select(e => e.id), listed.Select(e => e.GetProperty("id").GetString()));
        foreach (var e in lost)
        {
            Assert.Equal(e.data.n, (await GetAsync(tenant.Ingest, $"/api/events/{e.id}")).GetProperty("data").GetProperty("n").GetInt32());
        }
        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        await Eventually.HoldsAsync("three are counted", async () => await views.CounterAsync("Events") == 3);
    }

    private static async Task<List<string>> BatchIdsAsync<T>(TenantClients tenant, List<T> events)
    {
        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });
        var body = await ApiAssert.JsonAsync(response, (HttpStatusCode)207);
        Assert.Equal(events.Count, body.GetProperty("created").GetInt32());
        return body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>The tenant's stored event rows in the conversation's partition, as storage holds them.</summary>
    private async Task<List<TableEntity>> RowsAsync(string tenant)
    {
        var partition = EventKeys.ConversationPartition(tenant, Conversation);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {EventKeys.EventPrefix} and RowKey lt {"e}"}");
        var rows = new List<TableEntity>();
        await foreach (var row in app.Table(StorageNames.EventsTable).QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }
        return rows;
    }
}
