using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using FuncTrace.Domain;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>
/// A conversation's events, read at once from its own partition: oldest first is one forward range; newest first reads
/// backwards in windows, which must neither skip nor repeat an event however the events are spread in time.
/// </summary>
public sealed class ConversationPagingTests(ConversationPagingTests.App app) : IClassFixture<ConversationPagingTests.App>
{
    public sealed class App() : FuncTraceApp(new Dictionary<string, string?> { ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0" });

    [Theory]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task NewestFirstPagesReachBackAcrossYearsWithoutSkippingOrRepeating(int limit)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var times = Enumerable.Range(1970, 61).Select(year => new DateTimeOffset(year, 1 + (year % 12), 1 + (year % 28), year % 24, 0, 0, TimeSpan.Zero))
            .Concat([DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(3), new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.UnixEpoch]);
        var ids = await PostAsync(tenant, "years", times.ToList());

        await AssertPagesAsync(tenant, "years", ids, limit);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    public async Task NewestFirstPagesThroughThousandsOfEventsInOneSecond(int limit)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var second = new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = await PostAsync(tenant, "dense", Enumerable.Range(0, 2500).Select(i => second.AddMilliseconds(i % 1000)).ToList());

        await AssertPagesAsync(tenant, "dense", ids, limit);
    }

    [Fact]
    public async Task NewestFirstPagesThroughThousandsOfEventsInOneMillisecondAmongSparseOnes()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var instant = new DateTimeOffset(2025, 7, 1, 0, 0, 0, 500, TimeSpan.Zero);
        var times = Enumerable.Repeat(instant, 2200).Concat(Enumerable.Range(1, 30).Select(d => instant.AddDays(-d * 40))).Concat([instant.AddMilliseconds(1), instant.AddHours(2)]);
        var ids = await PostAsync(tenant, "one-ms", times.ToList());

        await AssertPagesAsync(tenant, "one-ms", ids, 250);
    }

    [Fact]
    public async Task FromAndToBoundBothOrdersToTheMillisecond()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var start = new DateTimeOffset(2025, 8, 1, 0, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, 300).Select(i => start.AddMinutes(i * 7)).ToList();
        var ids = await PostAsync(tenant, "bounded", times);
        var (from, to) = (times[40], times[230]);
        var inside = ids.Where((_, i) => times[i] >= from && times[i] <= to).Order(StringComparer.Ordinal).ToList();
        var range = $"&from={Iso(from)}&to={Iso(to)}";

        var ascending = await AllAsync(tenant.Ingest, $"/api/events?conversation_id=bounded&limit=17{range}");
        var descending = await AllAsync(tenant.Ingest, $"/api/events?conversation_id=bounded&limit=17&order=desc{range}");

        Assert.Equal(inside, ascending.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(Enumerable.Reverse(inside), descending.Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task ACursorFromAnotherQueryOrMadeUpIsRefused()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await PostAsync(tenant, "mine", Enumerable.Range(0, 5).Select(i => DateTimeOffset.UtcNow.AddMinutes(-i)).ToList());
        await PostAsync(tenant, "other", Enumerable.Range(0, 5).Select(i => DateTimeOffset.UtcNow.AddMinutes(-i)).ToList());
        var ascending = Cursor(await GetAsync(tenant.Ingest, "/api/events?conversation_id=mine&limit=2"));
        var descending = Cursor(await GetAsync(tenant.Ingest, "/api/events?conversation_id=mine&limit=2&order=desc"));
        var typed = Cursor(await GetAsync(tenant.Ingest, "/api/events?conversation_id=mine&limit=2&event_type=step"));
        var forged = Base64Url.Encode(Encoding.UTF8.GetBytes("c1:e|ZZZZZZZZZZ" + new string('0', 16)));

        foreach (var query in new[]
        {
            $"conversation_id=other&limit=2&cursor={ascending}",
            $"conversation_id=mine&limit=2&order=desc&cursor={ascending}",
            $"conversation_id=mine&limit=2&cursor={descending}",
            $"conversation_id=mine&limit=2&cursor={typed}",
            $"conversation_id=mine&limit=2&event_type=other&cursor={typed}",
            $"conversation_id=mine&limit=2&from=2030-01-01T00:00:00Z&cursor={ascending}",
            $"conversation_id=mine&limit=2&cursor={forged}",
            $"conversation_id=mine&limit=2&cursor={Base64Url.Encode(Encoding.UTF8.GetBytes("{\"Slot\":\"x\"}"))}",
            "conversation_id=mine&limit=2&cursor=%00%01",
        })
        {
            using var response = await tenant.Ingest.GetAsync("/api/events?" + query);
            var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
            Assert.Equal("cursor", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        }
        Assert.Equal(2, Ids(await GetAsync(tenant.Ingest, $"/api/events?conversation_id=mine&limit=2&cursor={ascending}")).Count);
    }

    /// <summary>Posts one event per time in batches of 500; returns the generated ids (which are their sort keys).</summary>
    private static async Task<List<string>> PostAsync(TenantClients tenant, string conversation, IReadOnlyList<DateTimeOffset> times)
    {
        var ids = new List<string>();
        foreach (var chunk in times.Chunk(500))
        {
            var events = chunk.Select(t => new { conversation_id = conversation, event_type = "step", timestamp = Iso(t), data = new { } }).ToList();
            using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events });
            var body = await ApiAssert.JsonAsync(response, (HttpStatusCode)207);
            Assert.Equal(chunk.Length, body.GetProperty("created").GetInt32());
            ids.AddRange(body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        }
        return ids;
    }

    private static async Task AssertPagesAsync(TenantClients tenant, string conversation, List<string> ids, int limit)
    {
        var expected = ids.Order(StringComparer.Ordinal).ToList();
        var newestFirst = await AllAsync(tenant.Ingest, $"/api/events?conversation_id={conversation}&order=desc&limit={limit}");
        var oldestFirst = await AllAsync(tenant.Ingest, $"/api/events?conversation_id={conversation}&limit={limit}");
        Assert.Equal(Enumerable.Reverse(expected), newestFirst.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(expected, oldestFirst.Select(e => e.GetProperty("id").GetString()));
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
