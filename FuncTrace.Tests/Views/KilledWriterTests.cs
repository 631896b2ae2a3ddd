using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Views;

/// <summary>
/// The local host as a real process, killed with SIGKILL while its slot is open (its events stored, its views not yet
/// applied): the next host recovers the slot from its intent and counts every event exactly once (issue 11).
/// </summary>
public sealed class KilledWriterTests
{
    private readonly string _prefix = TestStorage.NewPrefix();

    [Fact]
    public async Task AWriterKilledMidSlotLosesNoCountAndTheRecoveryCountsEachEventOnce()
    {
        var tenant = FuncTraceApp.NewTenant();
        string key;
        var ids = new List<string>();
        // A 10 s slot, so the kill lands before it is sealed; its intent appears 15 s after it was last written.
        await using (var first = await LocalHostProcess.StartAsync(Settings(("FuncTrace:Ingest:SlotMilliseconds", "10000"), ("LocalHost:QueueTriggers", "false"))))
        {
            key = await first.CreateKeyAsync(tenant, "ingest");
            using var client = first.ClientWithKey(key);
            for (var i = 0; i < 20; i++)
            {
                ids.Add(await PostAsync(client, i));
            }
            // Read-your-write: each event is readable by id the moment it is answered.
            using var read = await client.GetAsync($"/api/events/{ids[^1]}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            first.Kill();
        }
        var views = new TenantViews(new TableServiceClient(TestStorage.ConnectionString).GetTableClient(_prefix + StorageNames.ViewsTable), tenant);
        Assert.Equal(0, await views.CounterAsync("Events"));

        await using var second = await LocalHostProcess.StartAsync(Settings());
        using var again = second.ClientWithKey(key);
        for (var i = 20; i < 25; i++)
        {
            ids.Add(await PostAsync(again, i));
        }
        await Eventually.HoldsAsync("the killed writer's slot is recovered", TimeSpan.FromSeconds(90), async () => await views.CounterAsync("Events") >= 25);
        // Once more than the intent's time has passed, nothing is counted again.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(25, await views.CounterAsync("Events"));
        Assert.Equal(25, await views.CounterAsync("PendingReviews"));
        Assert.Equal((50, 25, 75, 25), Assert.Single(await views.UsageAsync(ViewKeys.UsageByDay)).Value);
        Assert.Equal(13, (await views.SummaryAsync("killed-0"))!.GetInt64("EventCount"));
        Assert.Equal(12, (await views.SummaryAsync("killed-1"))!.GetInt64("EventCount"));
        Assert.Equal(25, ids.Distinct().Count());
    }

    private static async Task<string> PostAsync(HttpClient client, int i)
    {
        using var response = await client.PostAsJsonAsync("/api/events", new
        {
            conversation_id = $"killed-{i % 2}", event_type = "assistant_response", model = "m", usage = new { prompt_tokens = 2, completion_tokens = 1 }, data = new { i },
        });
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private Dictionary<string, string?> Settings(params (string Name, string? Value)[] extra)
    {
        var settings = LocalHostProcess.BaseSettings(_prefix);
        settings["FuncTrace:Ingest:IntentVisibilitySeconds"] = "15";
        settings["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.5";
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }
        return settings;
    }
}
