using Azure.Data.Tables;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Views;

/// <summary>
/// A slot far larger than one transaction: its activity work is cut into chunks whose rows are counted before anything is
/// read, and every chunk must fit one transaction (storage refuses one of more than 100 entities).
/// </summary>
public sealed class LargeSlotTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ASlotOfThousandsOfEventsIsAppliedInChunksThatEachFitOneTransaction()
    {
        var tenant = "large-" + Guid.NewGuid().ToString("N")[..8];
        var start = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        // Long types and conversation ids, so a second's bucket takes several rows.
        var items = Enumerable.Range(0, 3000).Select(i => new ViewItem
        {
            Kind = ViewItemKind.Event,
            Tenant = tenant,
            SortKey = $"{i:D26}",
            Conversation = $"conversation-{i % 7}-" + new string('c', 150),
            Type = $"type-{i % 5}-" + new string('t', 90),
            Timestamp = start.AddMilliseconds(i),
            Model = $"model-{i % 3}",
            User = $"user{i % 2}@example.com",
            PromptTokens = 2,
            CompletionTokens = 1,
            TotalTokens = 3,
            HasUsage = true,
            NeedsReview = true,
        }).ToList();
        var slot = "20261130120000000large0000001";

        await app.Services.GetRequiredService<ViewWriter>().ApplyAsync(slot, items);

        var views = new TenantViews(app.Table(StorageNames.ViewsTable), tenant);
        Assert.Equal(3000, await views.CounterAsync("Events"));
        Assert.Equal(3000, await views.CounterAsync("PendingReviews"));
        var days = await views.UsageAsync(ViewKeys.UsageByDay);
        Assert.Equal(6, days.Count);
        Assert.Equal(9000, days.Values.Sum(u => u.Total));
        var activity = ViewKeys.ActivityPartition(tenant, ViewKeys.SlotShard(slot));
        Assert.Equal(3000, await BucketItemsAsync(activity, "t|"));
        Assert.Equal(3000, await BucketItemsAsync(activity, "T|"));
        Assert.Equal(3000, await BucketItemsAsync(activity, "q|"));
        Assert.True(await BucketRowsAsync(activity, "t|") > 3, "the test's buckets must each take several rows");
    }

    private async Task<List<TableEntity>> RowsAsync(string partition, string prefix)
    {
        var table = app.Table(StorageNames.ViewsTable);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter))
        {
            rows.Add(row);
        }
        return rows;
    }

    private async Task<int> BucketItemsAsync(string partition, string prefix) =>
        (await RowsAsync(partition, prefix)).Sum(r => BucketItem.Read(r.GetString(BucketItem.ItemsProperty)).Count);

    private async Task<int> BucketRowsAsync(string partition, string prefix) => (await RowsAsync(partition, prefix)).Count;
}
