using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Views;

/// <summary>The instance that wrote a slot applies its views itself: no queue function is needed, and no message is left.</summary>
public sealed class WriterAppliesTests
{
    [Fact]
    public async Task AWriterWithoutQueueFunctionsBringsItsViewsUpToDateAndLeavesTheQueueEmpty()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["LocalHost:QueueTriggers"] = "false" });
        await app.StartAsync();
        using var tenant = await TenantClients.CreateAsync(app);
        for (var i = 0; i < 5; i++)
        {
            await tenant.PostEventAsync(new { conversation_id = $"writer-{i % 2}", event_type = "assistant_response", model = "m", usage = new { prompt_tokens = 3, completion_tokens = 1 }, data = new { i } });
        }
        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant.Tenant);
        await Eventually.HoldsAsync("the writer applied its slots", async () => await views.CounterAsync("Events") == 5);
        Assert.Equal(5, await views.CounterAsync("PendingReviews"));
        Assert.Equal(3, (await views.SummaryAsync("writer-0"))!.GetInt64("EventCount"));
        Assert.Equal(2, (await views.SummaryAsync("writer-1"))!.GetInt64("EventCount"));
        var queue = app.Queue(StorageNames.IngestQueue);
        await Eventually.HoldsAsync("every intent is deleted", async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0);
    }
}
