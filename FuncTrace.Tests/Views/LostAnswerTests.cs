using System.Net;
using System.Net.Http.Json;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Events;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Views;

/// <summary>
/// A write that storage applied but whose answer was lost is retried by the storage client, and the retry meets the row
/// the first try stored. That row is the request's own success — not a replay — so it answers 201 and is counted once.
/// </summary>
public sealed class LostAnswerTests : IAsyncLifetime
{
    private AnswerLosingProxy? _proxy;
    private FuncTraceApp? _app;

    private AnswerLosingProxy Proxy => _proxy!;
    private FuncTraceApp App => _app!;

    public async Task InitializeAsync()
    {
        _proxy = await AnswerLosingProxy.StartAsync();
        _app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = Proxy.ConnectionString });
        await App.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("client-chosen")]
    public async Task AnEventWhoseInsertAnswerWasLostIsCreatedAndCountedOnce(string? id)
    {
        using var tenant = await TenantClients.CreateAsync(App);
        var events = App.Names.Table(StorageNames.EventsTable);
        Proxy.LoseAnswers(1, (request, body) => request.Method == "POST" && request.Path.Value!.EndsWith("/" + events, StringComparison.Ordinal) && body.Contains("lose-this", StringComparison.Ordinal) && body.Contains("\"Slot\"", StringComparison.Ordinal));

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id, conversation_id = "lost", event_type = "assistant_response", data = new { text = "lose-this" } });

        Assert.Equal(1, Proxy.Lost);
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.False(response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal([body.GetProperty("id").GetString()!], Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=lost")));
        await AssertCountedAsync(tenant, events: 1, pending: 1);
    }

    [Fact]
    public async Task AClientIdWhosePointerAnswerWasLostIsCreatedNotReplayed()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        var events = App.Names.Table(StorageNames.EventsTable);
        Proxy.LoseAnswers(1, (request, body) => request.Method == "POST" && request.Path.Value!.EndsWith("/" + events, StringComparison.Ordinal) && body.Contains("\"EventPartition\"", StringComparison.Ordinal));

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new { id = "pointer-lost", conversation_id = "lost", event_type = "assistant_response", data = new { } });

        Assert.Equal(1, Proxy.Lost);
        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        Assert.False(response.Headers.Contains("Idempotent-Replayed"));
        await AssertCountedAsync(tenant, events: 1, pending: 1);
    }

    [Fact]
    public async Task ABatchWhoseTransactionAnswerWasLostIsCreatedAndCountedOnce()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        Proxy.LoseAnswers(1, (request, body) => request.Path.Value!.EndsWith("/$batch", StringComparison.Ordinal) && body.Contains("lose-this", StringComparison.Ordinal));
        var items = Enumerable.Range(0, 30).Select(i => new { id = i % 2 == 0 ? $"batch-{i}" : null, conversation_id = "lost", event_type = "assistant_response", data = new { text = "lose-this", i } });

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = items });

        Assert.Equal(1, Proxy.Lost);
        var body = await ApiAssert.JsonAsync(response, (HttpStatusCode)207);
        Assert.Equal(30, body.GetProperty("created").GetInt32());
        Assert.Equal(30, Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=lost")).Count);
        await AssertCountedAsync(tenant, events: 30, pending: 30);
    }

    [Fact]
    public async Task AVerdictWhoseAnswerWasLostIsCreatedAndTakesTheEventOffTheQueue()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        var id = (await tenant.PostEventAsync(new { conversation_id = "lost", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        await Eventually.HoldsAsync("the event is pending", async () => await ReviewClaimTests.PendingCountAsync(tenant) == 1);
        Proxy.LoseAnswers(1, (request, body) => request.Path.Value!.EndsWith("/$batch", StringComparison.Ordinal) && body.Contains("lose-this", StringComparison.Ordinal));

        using var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = id, status = "approved", feedback_message = "lose-this" });

        Assert.Equal(1, Proxy.Lost);
        await ApiAssert.JsonAsync(verdict, HttpStatusCode.Created);
        Assert.False(verdict.Headers.Contains("Idempotent-Replayed"));
        await AssertCountedAsync(tenant, events: 1, pending: 0);
        Assert.Equal(1, await Views(tenant).CounterAsync("Feedback"));
    }

    [Fact]
    public async Task AVerdictOnAPackedEventWhoseAnswerWasLostIsCreatedOnceAndLeavesTheOtherEventsOfItsPagePending()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        var items = Enumerable.Range(0, 5).Select(i => new { conversation_id = "lost-page", event_type = "assistant_response", data = new { i } });
        using var stored = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = items });
        var ids = (await ApiAssert.JsonAsync(stored, (HttpStatusCode)207)).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.All(ids, id => Assert.True(Functions.Events.EventKeys.IsPacked(id!)));
        await Eventually.HoldsAsync("the events are pending", async () => await ReviewClaimTests.PendingCountAsync(tenant) == 5);
        Proxy.LoseAnswers(1, (request, body) => request.Path.Value!.EndsWith("/$batch", StringComparison.Ordinal) && body.Contains("lose-this", StringComparison.Ordinal));

        using var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = ids[2], status = "approved", feedback_message = "lose-this" });

        Assert.Equal(1, Proxy.Lost);
        await ApiAssert.JsonAsync(verdict, HttpStatusCode.Created);
        Assert.Equal("approved", (await GetAsync(tenant.Ingest, $"/api/events/{ids[2]}")).GetProperty("review_status").GetString());
        await AssertCountedAsync(tenant, events: 5, pending: 4);
        Assert.Equal(1, await Views(tenant).CounterAsync("Feedback"));
        Assert.Single((await GetAsync(tenant.Review, $"/api/feedback?event_id={ids[2]}")).GetProperty("feedback").EnumerateArray());
    }

    [Fact]
    public async Task AClaimWhoseLeaseAnswerWasLostHandsOutThatEvent()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        var id = (await tenant.PostEventAsync(new { conversation_id = "lost", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        await Eventually.HoldsAsync("the event is pending", async () => await ReviewClaimTests.PendingCountAsync(tenant) == 1);
        var views = App.Names.Table(StorageNames.ViewsTable);
        Proxy.LoseAnswers(1, (request, body) => request.Method == "POST" && request.Path.Value!.EndsWith("/" + views, StringComparison.Ordinal) && body.Contains("\"ExpiresAt\"", StringComparison.Ordinal));

        var claimed = await ReviewClaimTests.ClaimAsync(tenant.Review);

        Assert.Equal(1, Proxy.Lost);
        Assert.Equal(id, claimed);
    }

    private TenantViews Views(TenantClients tenant) => new(App.Table(StorageNames.ViewsTable), tenant.Tenant);

    private async Task AssertCountedAsync(TenantClients tenant, int events, int pending)
    {
        await QueueQuiet.WaitAsync(App.Queue(StorageNames.IngestQueue));
        Assert.Equal(events, await Views(tenant).CounterAsync("Events"));
        Assert.Equal(pending, await Views(tenant).CounterAsync("PendingReviews"));
        Assert.Equal(pending, (await AllAsync(tenant.Review, "/api/feedback/pending")).Count);
    }
}
