using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Commands;

/// <summary>Sessions, commands and the session's events, as a test drives them.</summary>
public static class CommandClient
{
    public static async Task<string> NewSessionAsync(TenantClients tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        using var response = await tenant.Ingest.PostAsJsonAsync("/api/sessions", new { name = "commands" });
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("session_id").GetString()!;
    }

    public static async Task<HttpResponseMessage> SubmitAsync(TenantClients tenant, string sessionId, object body, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{sessionId}/commands") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await tenant.Ingest.SendAsync(request);
    }

    public static async Task<JsonElement> SubmittedAsync(TenantClients tenant, string sessionId, object body)
    {
        using var response = await SubmitAsync(tenant, sessionId, body);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted);
    }

    /// <summary>The command once it has finished and its end events are in the session's stream.</summary>
    public static async Task<JsonElement> FinishedAsync(TenantClients tenant, string sessionId, string commandId)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        JsonElement command = default;
        await Eventually.HoldsAsync($"command {commandId} finishes", async () =>
        {
            command = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/commands/{commandId}");
            return command.GetProperty("status").GetString() != "executing"
                && (await EventsAsync(tenant, sessionId)).Any(e => e.GetProperty("event_type").GetString() is "command_completed" or "command_failed"
                    && e.GetProperty("data").GetProperty("command_id").GetString() == commandId);
        });
        return command;
    }

    public static async Task<IReadOnlyList<JsonElement>> EventsAsync(TenantClients tenant, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var page = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/events?limit=100");
        return [.. page.GetProperty("events").EnumerateArray()];
    }

    public static IReadOnlyList<string> Types(IEnumerable<JsonElement> events) => [.. events.Select(e => e.GetProperty("event_type").GetString()!)];
}
