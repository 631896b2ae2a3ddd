using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Events;

/// <summary>Clients that retry without choosing ids send an Idempotency-Key; a retry then finds the first record.</summary>
public sealed class IdempotencyKeyTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ARetriedEventWithTheSameIdempotencyKeyIsStoredOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var body = new { conversation_id = "idem", event_type = "tool_call", data = new { n = 1 } };

        using var first = await PostWithKeyAsync(tenant.Ingest, "/api/events", body, "retry-1");
        using var second = await PostWithKeyAsync(tenant.Ingest, "/api/events", body, "retry-1");
        using var different = await PostWithKeyAsync(tenant.Ingest, "/api/events", new { conversation_id = "idem", event_type = "tool_call", data = new { n = 2 } }, "retry-1");

        var created = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        await ApiAssert.ErrorAsync(different, HttpStatusCode.Conflict, "CONFLICT");
        var listed = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=idem");
        Assert.Single(listed.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task ARetriedFeedbackWithTheSameIdempotencyKeyIsStoredOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        var body = new { event_id = eventId, feedback_message = "fine", status = "pending" };

        using var first = await PostWithKeyAsync(tenant.Review, "/api/feedback", body, "fb-1");
        using var second = await PostWithKeyAsync(tenant.Review, "/api/feedback", body, "fb-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var feedback = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={eventId}");
        Assert.Single(feedback.GetProperty("feedback").EnumerateArray());
    }

    [Fact]
    public async Task ARetriedExternalTraceWithTheSameIdempotencyKeyKeepsItsTraceId()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var admin = app.AdminClient();
        using var registered = await admin.PostAsJsonAsync("/api/admin/users", new { tenant = tenant.Tenant, email = "retry@example.com" });
        Assert.True(registered.IsSuccessStatusCode);
        var body = new { email = "retry@example.com", message = "Hello", metadata = new { chatId = "chat-idem" } };

        using var first = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/submit", body, "trace-1");
        using var second = await PostWithKeyAsync(tenant.Ingest, "/api/external/trace/submit", body, "trace-1");

        var firstBody = await ApiAssert.JsonAsync(first, HttpStatusCode.OK);
        var secondBody = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(firstBody.GetProperty("traceId").GetString(), secondBody.GetProperty("traceId").GetString());
        var listed = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=chat-idem");
        Assert.Single(listed.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task AnIdempotencyKeyThatIsTooLongIsAValidationError()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await PostWithKeyAsync(tenant.Ingest, "/api/events", new { conversation_id = "c", event_type = "x", data = new { } }, new string('k', 256));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("Idempotency-Key", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
