using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

/// <summary>
/// A JSON body that arrives fast and then stops: Kestrel's minimum data rate is an average over the whole body, so
/// after a quick first megabytes it would wait for a long time; the body's own idle limit answers 408 instead.
/// </summary>
public sealed class StalledBodyTests
{
    [Fact]
    public async Task AJsonBodyThatStopsAfterAFastStartIsARequestTimeoutAndStoresNothing()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:RequestBodyIdleSeconds"] = "2" });
        await app.StartAsync();
        using var tenant = await TenantClients.CreateAsync(app);
        var conversation = "stall-" + Guid.NewGuid().ToString("N")[..8];
        var start = Encoding.UTF8.GetBytes($"{{\"conversation_id\":\"{conversation}\",\"event_type\":\"note\",\"data\":{{\"text\":\"{new string('x', 3 * 1024 * 1024)}");
        var key = tenant.Ingest.DefaultRequestHeaders.GetValues("X-API-Key").Single();

        var answer = await RawHttp.SendThenStallAsync(app.BaseAddress, "POST", "/api/events",
            ["X-API-Key: " + key, "Content-Type: application/json", $"Content-Length: {start.Length + 100}"], start, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.RequestTimeout, answer.Status);
        using (var envelope = JsonDocument.Parse(answer.Body))
        {
            Assert.Equal("REQUEST_TIMEOUT", envelope.RootElement.GetProperty("error").GetProperty("code").GetString());
        }
        var stored = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={conversation}");
        Assert.Equal(0, stored.GetProperty("events").GetArrayLength());
    }
}
