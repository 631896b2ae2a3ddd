using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

public sealed class BatchTests(BatchTests.App app) : IClassFixture<BatchTests.App>
{
    public sealed class App() : FuncTraceApp(new Dictionary<string, string?> { ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0" });

    [Fact]
    public async Task ABatchOfFiveHundredMixedItemsAnswersEachAndStoresEachGoodOneOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        // Already stored: twenty with client ids, and five whose generated ids are sent back.
        var earlier = Enumerable.Range(0, 20).Select(i => new { id = $"known-{i}", conversation_id = $"c{i % 4}", event_type = "step", data = new { i } }).ToList();
        using (var seeded = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = earlier }))
        {
            Assert.Equal(20, (await ApiAssert.JsonAsync(seeded, (HttpStatusCode)207)).GetProperty("created").GetInt32());
        }
        var generated = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            generated.Add((await tenant.PostEventAsync(new { conversation_id = "c0", event_type = "step", timestamp = "2025-01-01T00:00:00Z", data = new { g = i } })).GetProperty("id").GetString()!);
        }
        var big = new string('x', 40 * 1024);
        var items = new List<(object Item, string Status, string? Code)>();
        for (var n = 0; n < 499; n++)
        {
            items.Add((n % 10) switch
            {
                0 when n / 10 < 20 => (earlier[n / 10], "duplicate", null),
                1 when n / 10 < 20 => (new { id = $"known-{n / 10}", conversation_id = $"c{(n / 10) % 4}", event_type = "step", data = new { changed = true } }, "error", "CONFLICT"),
                2 when n / 10 < 5 => (new { id = generated[n / 10], conversation_id = "c0", event_type = "step", timestamp = "2025-01-01T00:00:00Z", data = new { g = n / 10 } }, "duplicate", null),
                3 => (new { conversation_id = "", event_type = "step", data = new { } }, "error", "VALIDATION_ERROR"),
                4 => (new { conversation_id = "c1", event_type = "step", usage = new { prompt_tokens = EventValidation.MaxTokens + 1 }, data = new { } }, "error", "VALIDATION_ERROR"),
                5 when n < 100 => (new { id = $"twice-{n}", conversation_id = "c2", event_type = "step", data = new { n } }, "created", null),
                6 when n < 100 => (new { id = $"twice-{n - 1}", conversation_id = "c2", event_type = "step", data = new { n = n - 1 } }, "error", "CONFLICT"),
                7 when n < 50 => (new { conversation_id = "big", event_type = "step", data = new { big } }, "created", null),
                _ => (new { conversation_id = $"c{n % 7}", event_type = n % 3 == 0 ? "assistant_response" : "step", model = "m", usage = new { prompt_tokens = 3, completion_tokens = 2 }, data = new { n } }, "created", null),
            });
        }
        var json = "{\"events\":[" + string.Join(',', items.Select(i => JsonSerializer.Serialize(i.Item))) + ",\"not an event\"]}";

        using var response = await tenant.Ingest.PostAsync("/api/events/batch", TenantClients.Json(json));

        var body = await ApiAssert.JsonAsync(response, (HttpStatusCode)207);
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(500, results.Count);
        Assert.Equal(Enumerable.Range(0, 500), results.Select(r => r.GetProperty("index").GetInt32()));
        for (var n = 0; n < 499; n++)
        {
            Assert.True(items[n].Status == results[n].GetProperty("status").GetString(), $"item {n}: expected {items[n].Status}, got {results[n]}");
            Assert.Equal(items[n].Code, results[n].GetProperty("error").ValueKind == JsonValueKind.Null ? null : results[n].GetProperty("error").GetProperty("code").GetString());
        }
        Assert.Equal("error", results[499].GetProperty("status").GetString());
        var created = items.Count(i => i.Status == "created");
        Assert.Equal(created, body.GetProperty("created").GetInt32());
        Assert.Equal(25, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(500 - created - 25, body.GetProperty("failed").GetInt32());

        Assert.Equal(big, (await GetAsync(tenant.Ingest, "/api/events?conversation_id=big&limit=1")).GetProperty("events")[0].GetProperty("data").GetProperty("big").GetString());
        Assert.Equal(20 + 5 + created, await EventRowsProbe.CountStoredEventsAsync(app.Table(StorageNames.EventsTable), tenant.Tenant));
        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        await Eventually.HoldsAsync("every stored event is counted once", async () => await views.CounterAsync("Events") == 20 + 5 + created);
        var withUsage = items.Count(i => i.Status == "created" && JsonSerializer.Serialize(i.Item).Contains("\"model\"", StringComparison.Ordinal));
        var usage = Assert.Single(await views.UsageAsync(Functions.Views.ViewKeys.UsageByMonth));
        Assert.Equal((3L * withUsage, 2L * withUsage, 5L * withUsage, (long)withUsage), usage.Value);
    }

    [Fact]
    public async Task AFullBatchOfLargeEventsInOneConversationIsStored()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        // Just under the blob threshold as UTF-8, and six bytes a character once a storage request escapes it.
        var text = new string('中', 10_900);
        var events = Enumerable.Range(0, 100).Select(i => new { conversation_id = "large", event_type = "step", data = new { i, text } });

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });

        Assert.Equal(100, (await ApiAssert.JsonAsync(response, (HttpStatusCode)207)).GetProperty("created").GetInt32());
        var listed = await AllAsync(tenant.Ingest, "/api/events?conversation_id=large&limit=1000");
        Assert.Equal(Enumerable.Range(0, 100), listed.Select(e => e.GetProperty("data").GetProperty("i").GetInt32()).Order());
        Assert.All(listed, e => Assert.Equal(text, e.GetProperty("data").GetProperty("text").GetString()));
    }
}
