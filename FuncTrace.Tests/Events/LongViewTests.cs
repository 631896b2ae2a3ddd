using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>
/// Lists that stop on their read bound before they have found anything must still say where to go on: a thousand slots
/// of one second, then a few events later. Slots are 10 ms, so events posted one by one land in many of them.
/// </summary>
public sealed class LongViewTests(LongViewTests.App app) : IClassFixture<LongViewTests.App>, IAsyncLifetime
{
    public sealed class App() : FuncTraceApp(new Dictionary<string, string?>
    {
        ["FuncTrace:Ingest:SlotMilliseconds"] = "10",
        ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0",
    });

    private const int Crowd = 1000;
    private TenantClients? _tenant;
    private readonly List<string> _late = [];

    private TenantClients Tenant => _tenant!;

    public async Task InitializeAsync()
    {
        _tenant = await TenantClients.CreateAsync(app);
        var second = new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero);
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async client =>
        {
            for (var i = client; i < Crowd; i += 2)
            {
                await Tenant.PostEventAsync(new { conversation_id = $"crowd-{i % 10}", event_type = "assistant_response", timestamp = second.AddMilliseconds(i % 1000), data = new { i } });
            }
        }));
        for (var i = 0; i < 5; i++)
        {
            _late.Add((await Tenant.PostEventAsync(new { conversation_id = "late", event_type = "assistant_response", timestamp = second.AddMinutes(1 + i), data = new { i } })).GetProperty("id").GetString()!);
        }
        await Eventually.HoldsAsync("every event is pending", TimeSpan.FromSeconds(60), async () => await ReviewClaimTests.PendingCountAsync(Tenant) == Crowd + 5);
    }

    public Task DisposeAsync()
    {
        _tenant?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TheTimelineGoesOnPastASecondOfAThousandSlots()
    {
        var listed = await AllAsync(Tenant.Ingest, "/api/events?limit=1000");

        Assert.Equal(Crowd + 5, listed.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(_late, listed.TakeLast(5).Select(e => e.GetProperty("id").GetString()));
    }
}
