using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.External.ExternalClients;

namespace FuncTrace.Tests.External;

/// <summary>The external trace API driven as the spec's Python <c>requests</c> client drives it: raw headers, raw JSON.</summary>
public sealed class ExternalTraceClientTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task APythonRequestsClientSubmitsTracesAndFeedbackThatTheOtherFacesSee()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(app, tenant.Tenant, "Alice@Example.com");
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant.Tenant, "ingest"));
        var chatId = "chat-" + Guid.NewGuid().ToString("N")[..8];

        using var health = await client.GetAsync("/api/external/health");
        var healthBody = await ApiAssert.JsonAsync(health, HttpStatusCode.OK);
        Assert.Equal(["status", "service", "timestamp"], healthBody.EnumerateObject().Select(p => p.Name));
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
        Assert.Equal("alice@example.com", stored[0].GetProperty("user").GetString());
        Assert.Equal(["docs"], stored[0].GetProperty("metadata").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Create a new key, then revoke the old one.", stored[1].GetProperty("data").GetProperty("response").GetString());
        Assert.Equal("assistant", stored[1].GetProperty("role").GetString());
        Assert.Equal("gpt-4o", stored[1].GetProperty("model").GetString());
        Assert.Equal(21, stored[1].GetProperty("usage").GetProperty("total_tokens").GetInt64());
        Assert.Equal("pending", stored[1].GetProperty("review_status").GetString());

        using var feedback = await client.PostAsync("/api/external/trace/feedback", Json($$"""{"traceId": "{{assistantTrace}}", "value": 1, "comment": "Helpful"}"""));
        var feedbackBody = await ApiAssert.JsonAsync(feedback, HttpStatusCode.OK);
        Assert.Equal(["success", "feedbackId"], feedbackBody.EnumerateObject().Select(p => p.Name));
        Assert.True(feedbackBody.GetProperty("success").GetBoolean());
        var recorded = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={assistantTrace}");
        var only = Assert.Single(recorded.GetProperty("feedback").EnumerateArray());
        Assert.Equal(feedbackBody.GetProperty("feedbackId").GetString(), only.GetProperty("id").GetString());
        Assert.Equal("Helpful", only.GetProperty("feedback_message").GetString());
        Assert.Equal(1, only.GetProperty("value").GetDouble());
        Assert.Equal("pending", only.GetProperty("status").GetString());
        Assert.Equal("external", only.GetProperty("source").GetString());
    }

    [Fact]
    public async Task AnUnregisteredEmailIsRefusedWithSuccessFalseAndStatus200()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant.Tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "nobody@example.com", "message": "hi", "metadata": {"chatId": "c1"}}"""));
        using var malformed = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "not an email", "message": "hi", "metadata": {"chatId": "c1"}}"""));

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("""{"success":false,"error":"Invalid email: not registered in system"}""", body.GetRawText());
        Assert.Equal(body.GetRawText(), (await ApiAssert.JsonAsync(malformed, HttpStatusCode.OK)).GetRawText());
        var events = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=c1");
        Assert.Empty(events.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task AnAssistantMessageWithoutAResponseIsABadRequest()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(app, tenant.Tenant, "bob@example.com");
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant.Tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "bob@example.com", "message": "hi", "role": "assistant", "metadata": {"chatId": "c1"}}"""));

        Assert.Equal("'response' is required when role is 'assistant'.", await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task ASessionIdStandsInForAChatIdAndATaskNamesTheEventType()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(app, tenant.Tenant, "carol@example.com");
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant.Tenant, "ingest"));

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
        await RegisterAsync(app, tenant.Tenant, "dan@example.com");
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant.Tenant, "ingest"));
        var id = await SubmitAsync(client, """{"email": "dan@example.com", "message": "hi", "metadata": {"chatId": "c"}}""");

        using var response = await client.PostAsync("/api/external/trace/feedback", Json($$"""{"messageId": "{{id}}", "score": 0.25}"""));
        using var thumbsDown = await client.PostAsync("/api/external/trace/feedback", Json($$"""{"traceId": "{{id}}", "value": false}"""));

        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        await ApiAssert.JsonAsync(thumbsDown, HttpStatusCode.OK);
        var recorded = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={id}");
        Assert.Equal([0, 0.25], recorded.GetProperty("feedback").EnumerateArray().Select(f => f.GetProperty("value").GetDouble()).Order());
    }

    [Fact]
    public async Task ARetriedTraceWithTheSameIdempotencyKeyKeepsItsTraceIdAndSaysItIsAReplay()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(app, tenant.Tenant, "retry@example.com");
        const string body = """{"email": "retry@example.com", "message": "Hello", "metadata": {"chatId": "chat-idem"}}""";

        using var first = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/submit", body, "trace-1");
        using var second = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/submit", body, "trace-1");
        using var other = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/submit", body.Replace("Hello", "Hi", StringComparison.Ordinal), "trace-1");

        var firstBody = await ApiAssert.JsonAsync(first, HttpStatusCode.OK);
        var secondBody = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(firstBody.GetProperty("traceId").GetString(), secondBody.GetProperty("traceId").GetString());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Contains("different body", await ExternalAssert.FailureAsync(other, HttpStatusCode.Conflict), StringComparison.Ordinal);
        var listed = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=chat-idem");
        Assert.Single(listed.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task ARetriedFeedbackWithTheSameIdempotencyKeyIsStoredOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        await RegisterAsync(app, tenant.Tenant, "again@example.com");
        var id = await SubmitAsync(tenant.Ingest, """{"email": "again@example.com", "message": "hi", "metadata": {"chatId": "c"}}""");
        var body = $$"""{"traceId": "{{id}}", "value": 1}""";

        using var first = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/feedback", body, "fb-1");
        using var second = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/feedback", body, "fb-1");

        Assert.Equal(
            (await ApiAssert.JsonAsync(first, HttpStatusCode.OK)).GetProperty("feedbackId").GetString(),
            (await ApiAssert.JsonAsync(second, HttpStatusCode.OK)).GetProperty("feedbackId").GetString());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var recorded = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={id}");
        Assert.Single(recorded.GetProperty("feedback").EnumerateArray());
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, string path, string json, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
