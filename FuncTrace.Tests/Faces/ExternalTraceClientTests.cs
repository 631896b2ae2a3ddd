using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Faces;

/// <summary>The external trace API driven as the spec's Python <c>requests</c> client drives it: raw headers, raw JSON.</summary>
public sealed class ExternalTraceClientTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task APythonRequestsClientSubmitsTracesAndFeedbackThatTheOtherFacesSee()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(tenant.Tenant, "Alice@Example.com");
        using var client = PythonClient(await app.CreateKeyAsync(tenant.Tenant, "ingest"));
        var chatId = "chat-" + Guid.NewGuid().ToString("N")[..8];

        using var health = await client.GetAsync("/api/external/health");
        var healthBody = await ApiAssert.JsonAsync(health, HttpStatusCode.OK);
        Assert.Equal("ok", healthBody.GetProperty("status").GetString());
        Assert.Equal("external-trace", healthBody.GetProperty("service").GetString());
        Assert.True(healthBody.GetProperty("timestamp").TryGetDateTimeOffset(out _));

        var userTrace = await SubmitAsync(client, $$$"""
            {"email": "alice@example.COM", "message": "How do I rotate keys?", "ipAddress": "203.0.113.7",
             "metadata": {"chatId": "{{{chatId}}}", "source": "web", "tags": ["docs"], "timestamp": "2025-06-01T10:00:00Z"}}
            """);
        var assistantTrace = await SubmitAsync(client, $$$"""
            {"email": "alice@example.com", "message": "How do I rotate keys?", "role": "assistant", "response": "Create a new key, then revoke the old one.",
             "metadata": {"chatId": "{{{chatId}}}", "modelName": "gpt-4o", "timestamp": "2025-06-01T10:00:05Z",
                          "usage": {"promptTokens": 12, "completionTokens": 9, "totalTokens": 21} } }
            """);

        var events = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id={chatId}");
        var stored = events.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal([userTrace, assistantTrace], stored.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(["user_message", "assistant_response"], stored.Select(e => e.GetProperty("event_type").GetString()));
        Assert.Equal("How do I rotate keys?", stored[0].GetProperty("data").GetProperty("message").GetString());
        Assert.Equal("203.0.113.7", stored[0].GetProperty("data").GetProperty("ipAddress").GetString());
        Assert.Equal("Create a new key, then revoke the old one.", stored[1].GetProperty("data").GetProperty("response").GetString());
        Assert.Equal("gpt-4o", stored[1].GetProperty("model").GetString());
        Assert.Equal(21, stored[1].GetProperty("usage").GetProperty("total_tokens").GetInt64());

        using var feedback = await client.PostAsync("/api/external/trace/feedback", Json($$"""{"traceId": "{{assistantTrace}}", "value": 1, "comment": "Helpful"}"""));
        var feedbackBody = await ApiAssert.JsonAsync(feedback, HttpStatusCode.OK);
        Assert.True(feedbackBody.GetProperty("success").GetBoolean());
        var recorded = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={assistantTrace}");
        var only = Assert.Single(recorded.GetProperty("feedback").EnumerateArray());
        Assert.Equal("Helpful", only.GetProperty("feedback_message").GetString());
        Assert.Equal(1, only.GetProperty("value").GetDouble());
        Assert.Equal("pending", only.GetProperty("status").GetString());
        Assert.Equal("external", only.GetProperty("source").GetString());
    }

    [Fact]
    public async Task AnUnregisteredEmailIsRefusedWithSuccessFalseAndStatus200()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var client = PythonClient(await app.CreateKeyAsync(tenant.Tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "nobody@example.com", "message": "hi", "metadata": {"chatId": "c1"}}"""));

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("""{"success":false,"error":"Invalid email: not registered in system"}""", body.GetRawText());
        var events = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=c1");
        Assert.Empty(events.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task AnAssistantMessageWithoutAResponseIsABadRequest()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(tenant.Tenant, "bob@example.com");
        using var client = PythonClient(await app.CreateKeyAsync(tenant.Tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "bob@example.com", "message": "hi", "role": "assistant", "metadata": {"chatId": "c1"}}"""));

        var body = await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'response'", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASessionIdStandsInForAChatIdAndATaskNamesTheEventType()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(tenant.Tenant, "carol@example.com");
        using var client = PythonClient(await app.CreateKeyAsync(tenant.Tenant, "ingest"));

        var id = await SubmitAsync(client, """{"email": "carol@example.com", "message": "summarise", "metadata": {"sessionId": "s-77", "task": "summarize"}}""");

        var stored = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events/{id}");
        Assert.Equal("s-77", stored.GetProperty("conversation_id").GetString());
        Assert.Equal("summarize", stored.GetProperty("event_type").GetString());
        Assert.Equal("user", stored.GetProperty("role").GetString());
    }

    [Fact]
    public async Task FeedbackByMessageIdWithAScoreIsTheSameFeedbackRecord()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(tenant.Tenant, "dan@example.com");
        using var client = PythonClient(await app.CreateKeyAsync(tenant.Tenant, "ingest"));
        var id = await SubmitAsync(client, """{"email": "dan@example.com", "message": "hi", "metadata": {"chatId": "c"}}""");

        using var response = await client.PostAsync("/api/external/trace/feedback", Json($$"""{"messageId": "{{id}}", "score": 0.25}"""));

        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var recorded = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={id}");
        Assert.Equal(0.25, Assert.Single(recorded.GetProperty("feedback").EnumerateArray()).GetProperty("value").GetDouble());
    }

    /// <summary>What <c>requests.post(url, json=..., headers={"X-API-Key": key})</c> sends.</summary>
    internal static HttpClient PythonClient(FuncTraceApp app, string key)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        client.DefaultRequestHeaders.Add("User-Agent", "python-requests/2.32.3");
        return client;
    }

    private HttpClient PythonClient(string key) => PythonClient(app, key);

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task RegisterAsync(string tenant, string email)
    {
        using var admin = app.AdminClient();
        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { tenant, email });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<string> SubmitAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/api/external/trace/submit", Json(json));
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.True(body.GetProperty("success").GetBoolean(), body.GetRawText());
        return body.GetProperty("traceId").GetString()!;
    }
}
