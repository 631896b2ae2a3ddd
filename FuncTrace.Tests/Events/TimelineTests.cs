using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>
/// The tenant's timeline and its lists by type, merged from the buckets of many slots over the eight activity shards.
/// Slots are 10 ms here, so events posted one after another land in many slots, and so on every shard.
/// </summary>
public sealed class TimelineTests(TimelineTests.Seeded seeded) : IClassFixture<TimelineTests.Seeded>
{
    private static readonly DateTimeOffset Start = new(2025, 9, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Types = ["alpha", "beta", "gamma"];

    /// <summary>The app and its events, made once for the class.</summary>
    public sealed class Seeded : IAsyncLifetime
    {
        public FuncTraceApp App { get; } = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["FuncTrace:Ingest:SlotMilliseconds"] = "10",
            ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0",
        });

        public TenantClients? Tenant { get; private set; }

        public List<(string Id, DateTimeOffset Time, string Type)> Events { get; private set; } = [];

        public async Task InitializeAsync()
        {
            await App.StartAsync();
            var tenant = Tenant = await TenantClients.CreateAsync(App);
            // 160 events over three days, several in each second, posted by eight clients at once into many slots.
            var planned = Enumerable.Range(0, 160).Select(i => (Time: Start.AddSeconds((i / 4) * 1700 + (i % 4)).AddMilliseconds(i % 3), Type: Types[i % 3])).ToList();
            var stored = await Task.WhenAll(planned.Chunk(20).Select(async chunk =>
            {
                var ids = new List<(string, DateTimeOffset, string)>();
                foreach (var (time, type) in chunk)
                {
                    var body = await tenant.PostEventAsync(new { conversation_id = $"conv-{time.Second % 5}", event_type = type, timestamp = time, data = new { } });
                    ids.Add((body.GetProperty("id").GetString()!, time, type));
                }
                return ids;
            }));
            Events = stored.SelectMany(s => s).ToList();
            await Eventually.HoldsAsync("the timeline holds every event", async () => (await AllAsync(tenant.Ingest, "/api/events?limit=1000")).Count == Events.Count);
        }

        public async Task DisposeAsync()
        {
            Tenant?.Dispose();
            await App.DisposeAsync();
        }
    }

    private FuncTraceApp App => seeded.App;

    private TenantClients Tenant => seeded.Tenant!;

    private List<(string Id, DateTimeOffset Time, string Type)> Events => seeded.Events;

    [Fact]
    public async Task EachSlotsTimelineLandsOnItsOwnShardAndTheSlotsSpreadOverSeveral()
    {
        // How many slots the posts fell into depends on the machine's pace; which shard each slot's buckets go to does not.
        var shards = (await EventRowsProbe.SlotsAsync(App.Table(StorageNames.EventsTable), Tenant.Tenant)).Select(ViewKeys.SlotShard).ToHashSet();
        var partitions = ViewKeys.ActivityPartitions(Tenant.Tenant).ToList();
        var views = App.Table(StorageNames.ViewsTable);
        for (var shard = 0; shard < partitions.Count; shard++)
        {
            var buckets = views.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitions[shard]} and RowKey ge {"t|"} and RowKey lt {"t}"}"), maxPerPage: 1);
            Assert.True(shards.Contains(shard) == await buckets.AnyAsync(), $"{partitions[shard]}: a slot of this shard wrote events: {shards.Contains(shard)}; it holds timeline buckets: {!shards.Contains(shard)}.");
        }
        Assert.True(shards.Count > 1, "Every slot went to one shard.");
    }

    [Theory]
    [InlineData(null, false, 7)]
    [InlineData(null, true, 7)]
    [InlineData(null, true, 1000)]
    [InlineData("beta", false, 5)]
    [InlineData("beta", true, 5)]
    public async Task EveryPageFollowsTimeOrderAcrossShardsWithoutSkippingOrRepeating(string? type, bool descending, int limit)
    {
        var expected = Expected(type, null, null, descending);

        var listed = await AllAsync(Tenant.Ingest, Query(type, descending, limit, null, null));

        Assert.Equal(expected, listed.Select(e => e.GetProperty("id").GetString()));
        Assert.All(listed, e => Assert.Equal(type ?? e.GetProperty("event_type").GetString(), e.GetProperty("event_type").GetString()));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(null, true)]
    [InlineData("gamma", false)]
    [InlineData("gamma", true)]
    public async Task FromAndToBoundTheTimelineToTheMillisecond(string? type, bool descending)
    {
        var from = Events[37].Time;
        var to = Events[121].Time.AddMilliseconds(-1);
        var expected = Expected(type, from, to, descending);

        var listed = await AllAsync(Tenant.Ingest, Query(type, descending, 6, from, to));

        Assert.NotEmpty(expected);
        Assert.Equal(expected, listed.Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task ACursorOfOneListIsRefusedByAnother()
    {
        var ascending = Cursor(await GetAsync(Tenant.Ingest, "/api/events?limit=3"));
        var beta = Cursor(await GetAsync(Tenant.Ingest, "/api/events?limit=3&event_type=beta"));
        var conversation = Cursor(await GetAsync(Tenant.Ingest, "/api/events?limit=1&conversation_id=conv-1"));

        foreach (var query in new[]
        {
            $"limit=3&order=desc&cursor={ascending}",
            $"limit=3&event_type=beta&cursor={ascending}",
            $"limit=3&event_type=alpha&cursor={beta}",
            $"limit=3&cursor={beta}",
            $"limit=3&cursor={conversation}",
            $"limit=3&from=2025-09-02T00:00:00Z&cursor={ascending}",
            "limit=3&cursor=dDE6MTIzOmFiYw",
        })
        {
            using var response = await Tenant.Ingest.GetAsync("/api/events?" + query);
            var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
            Assert.Equal("cursor", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        }
    }

    private List<string> Expected(string? type, DateTimeOffset? from, DateTimeOffset? to, bool descending)
    {
        var chosen = Events.Where(e => (type is null || e.Type == type) && (from is null || e.Time >= from) && (to is null || e.Time <= to))
            .OrderBy(e => e.Time).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Id).ToList();
        if (descending)
        {
            chosen.Reverse();
        }
        return chosen;
    }

    private static string Query(string? type, bool descending, int limit, DateTimeOffset? from, DateTimeOffset? to)
    {
        var query = $"/api/events?limit={limit}";
        query += type is null ? string.Empty : $"&event_type={type}";
        query += descending ? "&order=desc" : string.Empty;
        query += from is null ? string.Empty : "&from=" + Uri.EscapeDataString(from.Value.ToString("O", CultureInfo.InvariantCulture));
        query += to is null ? string.Empty : "&to=" + Uri.EscapeDataString(to.Value.ToString("O", CultureInfo.InvariantCulture));
        return query;
    }
}
