using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>
/// Lists that stop on their read bound before they have found anything must still say where to go on: a thousand slots
/// of one second, then a few events later. Slots are 10 ms, so events posted one by one land in many of them.
/// </summary>
public sealed class LongViewTests(LongViewTests.Seeded seeded) : IClassFixture<LongViewTests.Seeded>
{
    private const int Crowd = 1000;

    /// <summary>The app and its data, made once for the class.</summary>
    public sealed class Seeded : IAsyncLifetime
    {
        public FuncTraceApp App { get; } = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["FuncTrace:Ingest:SlotMilliseconds"] = "10",
            ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0",
        });

        public TenantClients? Tenant { get; private set; }

        public List<string> Late { get; } = [];

        public async Task InitializeAsync()
        {
            await App.StartAsync();
            Tenant = await TenantClients.CreateAsync(App);
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
                Late.Add((await Tenant.PostEventAsync(new { conversation_id = "late", event_type = "assistant_response", timestamp = second.AddMinutes(1 + i), data = new { i } })).GetProperty("id").GetString()!);
            }
            await Eventually.HoldsAsync("every event is pending", TimeSpan.FromSeconds(60), async () => await ReviewClaimTests.PendingCountAsync(Tenant) == Crowd + 5);
        }

        public async Task DisposeAsync()
        {
            Tenant?.Dispose();
            await App.DisposeAsync();
        }
    }

    private TenantClients Tenant => seeded.Tenant!;

    private List<string> Late => seeded.Late;

    [Fact]
    public async Task TheTimelineGoesOnPastASecondOfAThousandSlots()
    {
        var listed = await AllAsync(Tenant.Ingest, "/api/events?limit=1000");

        Assert.Equal(Crowd + 5, listed.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(Late, listed.TakeLast(5).Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task ThePendingListOfOneConversationFindsItsEventsBehindAThousandSlotsOfOthers()
    {
        var listed = await AllAsync(Tenant.Review, "/api/feedback/pending?conversation_id=late");

        Assert.Equal(Late, listed.Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task AClaimForOneConversationFindsItsEventBehindAThousandSlotsOfOthers()
    {
        using var response = await Tenant.Review.PostAsync("/api/feedback/pending/claim?conversation_id=late", null);

        var claim = await ApiAssert.JsonAsync(response, System.Net.HttpStatusCode.OK);
        Assert.Equal(Late[0], claim.GetProperty("event").GetProperty("id").GetString());
    }
}
