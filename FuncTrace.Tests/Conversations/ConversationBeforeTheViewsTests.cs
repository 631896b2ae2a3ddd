using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Conversations;

/// <summary>
/// With the queue triggers off the views never run on their own, so these tests see a conversation in the second
/// before its summary exists, and then apply the views' queued work themselves, as the ApplySlot function would.
/// </summary>
public sealed class ConversationBeforeTheViewsTests(ConversationBeforeTheViewsTests.ViewsOffApp app) : IClassFixture<ConversationBeforeTheViewsTests.ViewsOffApp>
{
    public sealed class ViewsOffApp() : FuncTraceApp(new Dictionary<string, string?> { ["LocalHost:QueueTriggers"] = "false" });

    [Fact]
    public async Task AConversationWhoseSummaryIsNotBuiltYetIsSummarisedFromItsEvents()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "young", event_type = "user_message", user = "Me@Example.com", timestamp = "2025-05-01T10:00:00Z", data = new { message = "Hello?" } });
        await tenant.PostEventAsync(new
        {
            conversation_id = "young", event_type = "assistant_response", timestamp = "2025-05-01T10:00:01Z",
            data = new { response = "Hi." }, usage = new { prompt_tokens = 5, completion_tokens = 2 },
        });

        var read = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/young");
        var listed = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations");

        var summary = read.GetProperty("conversation");
        Assert.Equal(2, summary.GetProperty("event_count").GetInt64());
        Assert.Equal(2, summary.GetProperty("message_count").GetInt64());
        Assert.Equal("Hello?", summary.GetProperty("title").GetString());
        Assert.Equal("Hi.", summary.GetProperty("last_assistant_preview").GetString());
        Assert.Equal(7, summary.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("me@example.com", summary.GetProperty("owner").GetString());
        Assert.Equal(2, read.GetProperty("events").GetArrayLength());
        Assert.Empty(ConversationTests.Ids(listed));
    }

    [Fact]
    public async Task ArchivingBeforeTheViewsCatchUpKeepsTheArchiveAndEveryCount()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await tenant.PostEventAsync(new { conversation_id = "early", event_type = "user_message", data = new { message = $"m{i}" }, usage = new { prompt_tokens = 1, completion_tokens = 1 } });
        }

        using var archived = await tenant.Ingest.PostAsync("/api/conversations/early/archive", null);
        var answer = await ApiAssert.JsonAsync(archived, HttpStatusCode.OK);
        await ApplyQueuedViewsUntilAsync(tenant, "/api/conversations/early", r => ConversationTests.EventCount(r.GetProperty("conversation")) >= 3);

        var summary = (await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/early")).GetProperty("conversation");
        var all = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations?include_archived=true");
        var listed = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations");
        Assert.True(answer.GetProperty("archived").GetBoolean());
        Assert.Equal(3, answer.GetProperty("event_count").GetInt64());
        Assert.True(summary.GetProperty("archived").GetBoolean());
        Assert.Equal(3, summary.GetProperty("event_count").GetInt64());
        Assert.Equal(6, summary.GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("m0", summary.GetProperty("title").GetString());
        var row = Assert.Single(all.GetProperty("conversations").EnumerateArray());
        Assert.Equal(3, row.GetProperty("event_count").GetInt64());
        Assert.Empty(ConversationTests.Ids(listed));
    }

    [Fact]
    public async Task RenamingBeforeTheViewsCatchUpKeepsTheTitleAndEveryCount()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await tenant.PostEventAsync(new { conversation_id = "fresh", event_type = "user_message", data = new { message = "first words" } });
        await tenant.PostEventAsync(new { conversation_id = "fresh", event_type = "user_message", data = new { message = "second words" } });

        using var renamed = await tenant.Ingest.PatchAsJsonAsync("/api/conversations/fresh", new { title = "Chosen" });
        var answer = await ApiAssert.JsonAsync(renamed, HttpStatusCode.OK);
        await ApplyQueuedViewsUntilAsync(tenant, "/api/conversations", l => ConversationTests.Ids(l).Contains("fresh") && ConversationTests.EventCount(l.GetProperty("conversations")[0]) >= 2);

        var summary = (await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations/fresh")).GetProperty("conversation");
        var listed = Assert.Single((await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations")).GetProperty("conversations").EnumerateArray());
        Assert.Equal("Chosen", answer.GetProperty("title").GetString());
        Assert.Equal(2, answer.GetProperty("event_count").GetInt64());
        Assert.Equal("Chosen", summary.GetProperty("title").GetString());
        Assert.Equal(2, summary.GetProperty("event_count").GetInt64());
        Assert.Equal("Chosen", listed.GetProperty("title").GetString());
        Assert.Equal(2, listed.GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task ANewSessionIsAConversationAtOnceAndListedOnceTheViewsHaveIt()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var created = await tenant.Ingest.PostAsJsonAsync("/api/sessions", new { name = "Support chat", metadata = new { channel = "web" } });
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("session_id").GetString();

        var before = (await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/conversations/{id}")).GetProperty("conversation");
        await ApplyQueuedViewsUntilAsync(tenant, "/api/conversations", l => ConversationTests.Ids(l).Contains(id));

        var listed = Assert.Single((await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations")).GetProperty("conversations").EnumerateArray());
        foreach (var summary in new[] { before, listed })
        {
            Assert.Equal("Support chat", summary.GetProperty("name").GetString());
            Assert.Equal("web", summary.GetProperty("metadata").GetProperty("channel").GetString());
            Assert.Equal(0, summary.GetProperty("event_count").GetInt64());
            Assert.True(summary.GetProperty("created_at").TryGetDateTimeOffset(out _));
        }
    }

    [Fact]
    public async Task RecoveringASlotRebuildsTheSummaryOfASessionItStarted()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var created = await tenant.Ingest.PostAsJsonAsync("/api/sessions", new { name = "recovered" });
        var id = (await ApiAssert.JsonAsync(created, HttpStatusCode.Created)).GetProperty("session_id").GetString()!;
        var row = (await app.Table(StorageNames.EventsTable).GetEntityAsync<TableEntity>(EventKeys.ConversationPartition(tenant.Tenant, id), EventKeys.SessionRow)).Value;

        // The instance that created it died before queuing the slot's work: its intent is all recovery has.
        await app.Services.GetRequiredService<SlotRecovery>().RecoverAsync(new SlotMessage { Slot = row.GetString("Slot"), Partitions = [row.PartitionKey] }, CancellationToken.None);

        var listed = Assert.Single((await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/conversations")).GetProperty("conversations").EnumerateArray());
        Assert.Equal(id, listed.GetProperty("conversation_id").GetString());
        Assert.Equal("recovered", listed.GetProperty("name").GetString());
    }

    /// <summary>Applies whatever views work is queued (any test's: applying it is what the function does) until <paramref name="ready"/> holds.</summary>
    private async Task ApplyQueuedViewsUntilAsync(TenantClients tenant, string url, Func<JsonElement, bool> ready)
    {
        var views = ActivatorUtilities.CreateInstance<ViewsFunctions>(app.Services);
        var queue = app.Queue(StorageNames.IngestQueue);
        await Eventually.HoldsAsync($"the views have applied what {url} needs", async () =>
        {
            foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
            {
                await views.ApplySlot(message.Body.ToString(), CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
            return ready(await tenant.Ingest.GetFromJsonAsync<JsonElement>(url));
        });
    }
}
