using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using FuncTrace.Tests.Events;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Views;

/// <summary>The derived views count every stored write once: replays, re-delivered messages and recovery change nothing (issue 11).</summary>
public sealed class ExactlyOnceTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ReplayedEventsAndFeedbackNeverCountTwice()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        object Event(int i, string? id = null) => new { id, conversation_id = $"replays-{i % 2}", event_type = "assistant_response", model = "gpt", usage = new { prompt_tokens = 10, completion_tokens = 4 }, data = new { i } };
        var withIds = Enumerable.Range(0, 8).Select(i => Event(i, $"client-{i}")).ToList();
        var generated = new List<object>();
        foreach (var body in withIds)
        {
            await tenant.PostEventAsync(body);
        }
        for (var i = 8; i < 12; i++)
        {
            using var first = await IdempotencyKeyTests.PostWithKeyAsync(tenant.Ingest, "/api/events", Event(i), $"key-{i}");
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }
        for (var i = 12; i < 16; i++)
        {
            var id = (await tenant.PostEventAsync(Event(i))).GetProperty("id").GetString();
            generated.Add(Event(i, id));
        }
        using (var note = await tenant.Review.PostAsJsonAsync("/api/feedback", new { id = "note-1", event_id = "client-0", feedback_message = "a note", status = "pending" }))
        using (var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = "client-1", feedback_message = "right", status = "approved" }))
        {
            Assert.Equal(HttpStatusCode.Created, note.StatusCode);
            Assert.Equal(HttpStatusCode.Created, verdict.StatusCode);
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var body in withIds.Concat(generated))
            {
                using var replay = await tenant.Ingest.PostAsJsonAsync("/api/events", body);
                Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            }
            for (var i = 8; i < 12; i++)
            {
                using var replay = await IdempotencyKeyTests.PostWithKeyAsync(tenant.Ingest, "/api/events", Event(i), $"key-{i}");
                Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            }
            using var batch = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = withIds.Concat(generated) });
            Assert.Equal(12, (await ApiAssert.JsonAsync(batch, (HttpStatusCode)207)).GetProperty("duplicates").GetInt32());
            using var note = await tenant.Review.PostAsJsonAsync("/api/feedback", new { id = "note-1", event_id = "client-0", feedback_message = "a note", status = "pending" });
            using var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = "client-1", feedback_message = "right", status = "approved" });
            Assert.Equal(HttpStatusCode.OK, note.StatusCode);
            Assert.Equal(HttpStatusCode.OK, verdict.StatusCode);
        }
        await QueueQuiet.WaitAsync(app.Queue(StorageNames.IngestQueue));

        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        Assert.Equal(16, await views.CounterAsync("Events"));
        Assert.Equal(2, await views.CounterAsync("Feedback"));
        Assert.Equal(15, await views.CounterAsync("PendingReviews"));
        Assert.Equal((160, 64, 224, 16), Assert.Single(await views.UsageAsync(ViewKeys.UsageByDay)).Value);
        Assert.Equal((160, 64, 224, 16), Assert.Single(await views.UsageAsync(ViewKeys.UsageByMonth)).Value);
        Assert.Equal(8, (await views.SummaryAsync("replays-0"))!.GetInt64("EventCount"));
        Assert.Equal(8, (await views.SummaryAsync("replays-1"))!.GetInt64("EventCount"));
        Assert.Equal(16, (await AllAsync(tenant.Ingest, "/api/events?limit=5")).Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(15, (await AllAsync(tenant.Review, "/api/feedback/pending?limit=5")).Count);
    }

    [Fact]
    public async Task ViewsWorkDeliveredAgainOrRecoveredAgainChangesNothing()
    {
        // The writing app queues views work but applies none, so the test holds the real messages before anyone does.
        await using var writer = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["LocalHost:QueueTriggers"] = "false", ["FuncTrace:Ingest:ApplyOnWriter"] = "false" });
        await writer.StartAsync();
        using var tenant = await TenantClients.CreateAsync(writer);
        var big = Enumerable.Range(0, 400).Select(i => new { conversation_id = $"c{i % 40}", event_type = "assistant_response", role = "assistant", model = "m", user = "ann", usage = new { prompt_tokens = 1, completion_tokens = 2 }, data = new { response = $"answer {i} — ünïcödé" } });
        using (var batch = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = big }))
        {
            Assert.Equal(400, (await ApiAssert.JsonAsync(batch, (HttpStatusCode)207)).GetProperty("created").GetInt32());
        }
        var judged = (await tenant.PostEventAsync(new { conversation_id = "c0", event_type = "spec_created", data = new { } })).GetProperty("id").GetString();
        using (var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = judged, status = "rejected" }))
        {
            Assert.Equal(HttpStatusCode.Created, verdict.StatusCode);
        }
        var viewsQueue = writer.Queue(StorageNames.IngestQueue);
        // Every slot is sealed when every message of the queue is visible work (an intent is hidden until sealed).
        var messages = new List<string>();
        await Eventually.HoldsAsync("every slot is sealed", async () =>
        {
            messages = (await viewsQueue.PeekMessagesAsync(32)).Value.Select(m => m.MessageText).ToList();
            return messages.Count > 0 && (await viewsQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount == messages.Count;
        });
        Assert.All(messages, m => Assert.True(JsonSerializer.Deserialize<SlotMessage>(m)!.IsWork));
        Assert.Contains(messages, m => JsonSerializer.Deserialize<SlotMessage>(m)!.Overflow);   // one too large for a message: its work is in a blob

        // Now an app that applies them, on the same storage.
        await using var applier = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:StoragePrefix"] = writer.Names.Prefix });
        await applier.StartAsync();
        await QueueQuiet.WaitAsync(viewsQueue);
        var views = new TenantViews(applier.Table(StorageNames.ViewsTable), tenant.Tenant);
        var applied = await views.SnapshotAsync();
        Assert.Equal(401, await views.CounterAsync("Events"));
        Assert.Equal(400, await views.CounterAsync("PendingReviews"));

        // A copy of each message delivered again, through the queue and the function.
        foreach (var message in messages)
        {
            await viewsQueue.SendMessageAsync(message);
        }
        await QueueQuiet.WaitAsync(viewsQueue);
        Assert.Equal(applied, await views.SnapshotAsync());

        // The same work applied straight through the writer, and each slot recovered from its rows as if its instance had died.
        var viewWriter = applier.Services.GetRequiredService<ViewWriter>();
        var functions = ActivatorUtilities.CreateInstance<ViewsFunctions>(applier.Services);
        foreach (var message in messages)
        {
            await functions.ApplySlot(message, CancellationToken.None);
            var work = JsonSerializer.Deserialize<SlotMessage>(message)!;
            if (work.Items is { } items)
            {
                await viewWriter.ApplyAsync(work.Slot, items);
            }
            var partitions = new[] { EventKeys.ConversationPartition(tenant.Tenant, "c0") }.Concat(Enumerable.Range(0, 40).Select(i => EventKeys.ConversationPartition(tenant.Tenant, $"c{i}"))).Distinct().ToList();
            await functions.ApplySlot(JsonSerializer.Serialize(new SlotMessage { Slot = work.Slot, Partitions = partitions }), CancellationToken.None);
        }
        Assert.Equal(applied, await views.SnapshotAsync());
    }
}
