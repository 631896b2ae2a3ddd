using System.Net;
using System.Net.Http.Json;
using FuncTrace.Functions.Events;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

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
        Assert.Equal("true", second.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
        await ApiAssert.ErrorAsync(different, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Single(Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=idem")));
    }

    [Fact]
    public async Task ARetriedFeedbackWithTheSameIdempotencyKeyIsStoredOnceAndSaysItWasReplayed()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        var body = new { event_id = eventId, feedback_message = "fine", status = "pending" };

        using var first = await PostWithKeyAsync(tenant.Review, "/api/feedback", body, "fb-1");
        using var second = await PostWithKeyAsync(tenant.Review, "/api/feedback", body, "fb-1");

        var created = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        Assert.False(first.Headers.Contains(EventFunctions.ReplayedHeader));
        Assert.Equal("true", second.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
        var feedback = await GetAsync(tenant.Review, $"/api/feedback?event_id={eventId}");
        Assert.Single(feedback.GetProperty("feedback").EnumerateArray());
    }

    [Fact]
    public async Task ARetriedVerdictSaysItWasReplayed()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        var body = new { event_id = eventId, feedback_message = "right", status = "approved" };

        using var first = await PostWithKeyAsync(tenant.Review, "/api/feedback", body, "verdict-1");
        using var second = await PostWithKeyAsync(tenant.Review, "/api/feedback", body, "verdict-1");

        var created = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), replayed.GetProperty("id").GetString());
        Assert.Equal("true", second.Headers.GetValues(EventFunctions.ReplayedHeader).Single());
    }

    [Fact]
    public async Task AnIdempotencyKeyThatIsTooLongIsAValidationError()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await PostWithKeyAsync(tenant.Ingest, "/api/events", new { conversation_id = "c", event_type = "x", data = new { } }, new string('k', 256));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("Idempotency-Key", envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    public static async Task<HttpResponseMessage> PostWithKeyAsync(HttpClient client, string path, object body, string key)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }
}
