using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Views;

/// <summary>
/// An event judged before its review-queue entry is written — in the very slot that stored it — leaves no entry behind
/// in the queue (every claim would have to lease and skip it) and no pending count.
/// </summary>
public sealed class ReviewBucketTests
{
    [Fact]
    public async Task AnEventJudgedInTheSlotThatStoredItLeavesNoEntryInTheQueue()
    {
        // Two-second slots: the event and its verdict surely share one.
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Ingest:SlotMilliseconds"] = "2000" });
        await app.StartAsync();
        using var tenant = await TenantClients.CreateAsync(app);
        var judged = (await tenant.PostEventAsync(new { conversation_id = "fast", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString()!;
        var waiting = (await tenant.PostEventAsync(new { conversation_id = "fast", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString()!;
        using (var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = judged, status = "approved" }))
        {
            Assert.Equal(HttpStatusCode.Created, verdict.StatusCode);
        }
        await QueueQuiet.WaitAsync(app.Queue(StorageNames.IngestQueue));

        var pending = await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending?limit=10");
        Assert.Equal([waiting], pending.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var counts = await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending/count");
        Assert.Equal(1, counts.GetProperty("pending").GetInt32());
        using var claim = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        Assert.Equal(waiting, (await ApiAssert.JsonAsync(claim, HttpStatusCode.OK)).GetProperty("event").GetProperty("id").GetString());
    }
}
