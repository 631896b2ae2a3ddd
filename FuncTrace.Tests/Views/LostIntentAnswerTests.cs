using System.Net;
using System.Net.Http.Json;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Views;

/// <summary>
/// An update of a slot's intent that storage applied but whose answer was lost: the storage client's retry carries the
/// old receipt and is refused. The slot lists itself in a new intent, so the request is stored and counted at once.
/// </summary>
public sealed class LostIntentAnswerTests : IAsyncLifetime
{
    private AnswerLosingProxy? _proxy;
    private FuncTraceApp? _app;

    private AnswerLosingProxy Proxy => _proxy!;
    private FuncTraceApp App => _app!;

    public async Task InitializeAsync()
    {
        _proxy = await AnswerLosingProxy.StartAsync("QueueEndpoint");
        // Slots of two seconds, so the test's second event surely joins the first one's slot (and updates its intent).
        _app = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Proxy.ConnectionString,
            ["FuncTrace:Ingest:SlotMilliseconds"] = "2000",
        });
        await App.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Proxy.DisposeAsync();
    }

    [Fact]
    public async Task AnEventWhoseSlotLostTheAnswerToItsIntentUpdateIsStoredAndCountedAtOnce()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        var intents = App.Names.Queue(StorageNames.IngestQueue);
        await tenant.PostEventAsync(new { conversation_id = "first", event_type = "x", data = new { } });
        Proxy.LoseAnswers(1, (request, _) => request.Method == "PUT" && request.Path.Value!.Contains("/" + intents + "/messages/", StringComparison.Ordinal));

        using var second = await tenant.Ingest.PostAsJsonAsync("/api/events", new { conversation_id = "second", event_type = "x", data = new { } });

        Assert.Equal(1, Proxy.Lost);
        await ApiAssert.JsonAsync(second, HttpStatusCode.Created);
        var views = new TenantViews(App.Table(StorageNames.ViewsTable), tenant.Tenant);
        // Well before the lost intent could appear (60 s) and be recovered.
        await Eventually.HoldsAsync("both events are counted", TimeSpan.FromSeconds(20), async () => await views.CounterAsync("Events") == 2);
    }
}
