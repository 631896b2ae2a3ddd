using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Events;

/// <summary>
/// A write that storage applied but whose answer was lost: the storage client retries it and meets its own row. The
/// request must still answer "created" (not "replayed"), and the event must be counted once — not lost from the views
/// as if it were someone else's replay.
/// </summary>
public sealed class LostAnswerTests
{
    [Fact]
    public async Task AnEventWhoseInsertAnswerWasLostIsCreatedAndCountedOnce()
    {
        await using var proxy = await LossyTableProxy.StartAsync(TestStorage.ConnectionString);
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = proxy.ConnectionString(TestStorage.ConnectionString) });
        await app.StartAsync();
        using var tenant = await TenantClients.CreateAsync(app);
        var events = app.Names.Table(StorageNames.EventsTable);
        var once = 0;
        proxy.LoseAnswerOf = (method, path, _) => method == "POST" && path.Contains("/" + events, StringComparison.Ordinal) && Interlocked.Exchange(ref once, 1) == 0;

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events", new { conversation_id = "lost-answer", event_type = "assistant_response", data = new { text = "once" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, proxy.Lost);
        await Eventually.HoldsAsync("the event is counted once", async () =>
            (await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending/count")).GetProperty("pending").GetInt64() == 1);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending/count")).GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task ABatchWhoseTransactionAnswerWasLostIsCreatedAndCountedOnce()
    {
        await using var proxy = await LossyTableProxy.StartAsync(TestStorage.ConnectionString);
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = proxy.ConnectionString(TestStorage.ConnectionString) });
        await app.StartAsync();
        using var tenant = await TenantClients.CreateAsync(app);
        var events = app.Names.Table(StorageNames.EventsTable);
        var once = 0;
        proxy.LoseAnswerOf = (method, path, body) => method == "POST" && path.EndsWith("$batch", StringComparison.Ordinal)
            && body.Contains("/" + events, StringComparison.Ordinal) && Interlocked.Exchange(ref once, 1) == 0;
        var items = Enumerable.Range(0, 5).Select(i => new { conversation_id = "lost-batch", event_type = "assistant_response", data = new { i } }).ToArray();

        using var response = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events = items });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.MultiStatus);
        Assert.Equal(5, body.GetProperty("created").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, proxy.Lost);
        await Eventually.HoldsAsync("the batch is counted once", async () =>
            (await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending/count")).GetProperty("pending").GetInt64() == 5);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(5, (await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending/count")).GetProperty("pending").GetInt64());
    }
}
