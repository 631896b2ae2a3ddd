using System.Net;
using FuncTrace.Functions.Events;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Events;

public sealed class EventValidationTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Theory]
    [InlineData("""{"event_type":"x","data":{}}""", "conversation_id")]
    [InlineData("""{"conversation_id":"","event_type":"x","data":{}}""", "conversation_id")]
    [InlineData("""{"conversation_id":"c","data":{}}""", "event_type")]
    [InlineData("""{"conversation_id":"c","event_type":"  ","data":{}}""", "event_type")]
    [InlineData("""{"conversation_id":"c","event_type":"x","timestamp":"yesterday","data":{}}""", "timestamp")]
    [InlineData("""{"conversation_id":"c","event_type":"x","timestamp":"2025-13-45T99:00:00Z","data":{}}""", "timestamp")]
    [InlineData("""{"conversation_id":"c","event_type":"x","data":[1,2]}""", "data")]
    [InlineData("""{"conversation_id":"c","event_type":"x","data":"text"}""", "data")]
    [InlineData("""{"conversation_id":"c","event_type":"x","data":5}""", "data")]
    [InlineData("""{"conversation_id":42,"event_type":"x","data":{}}""", "conversation_id")]
    [InlineData("""{"conversation_id":"c","event_type":"x","requires_feedback":"yes","data":{}}""", "requires_feedback")]
    [InlineData("""{"conversation_id":"c","event_type":"x","usage":{"prompt_tokens":"many"},"data":{}}""", "usage.prompt_tokens")]
    [InlineData("""{"id":"bad/id","conversation_id":"c","event_type":"x","data":{}}""", "id")]
    [InlineData("""{"id":"what?","conversation_id":"c","event_type":"x","data":{}}""", "id")]
    [InlineData("""{"conversation_id":"c#1","event_type":"x","data":{}}""", "conversation_id")]
    public async Task InvalidEventsAreRejectedNamingTheField(string json, string field)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/events", TenantClients.Json(json));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("prompt_tokens", 9223372036854775807)]
    [InlineData("completion_tokens", EventValidation.MaxTokens + 1)]
    [InlineData("total_tokens", EventValidation.MaxTokens + 1)]
    [InlineData("prompt_tokens", -1)]
    public async Task TokenCountsNoRealCallCanHaveAreRejectedNamingTheCount(string name, long value)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/events", TenantClients.Json(
            $$$"""{"conversation_id":"c","event_type":"x","model":"m","usage":{"{{{name}}}":{{{value}}}},"data":{}}"""));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("usage." + name, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        Assert.Contains(EventValidation.MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLargestTokenCountIsAccepted()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        var stored = await tenant.PostEventAsync(new { conversation_id = "c", event_type = "x", usage = new { prompt_tokens = EventValidation.MaxTokens }, data = new { } });

        Assert.Equal(EventValidation.MaxTokens, stored.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
    }

    [Theory]
    [InlineData("[{\"conversation_id\":\"c\"}]")]
    [InlineData("\"an event\"")]
    [InlineData("{\"conversation_id\": \"c\", ")]
    public async Task BodiesThatAreNotAJsonObjectAreRejected(string json)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/events", TenantClients.Json(json));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=djE6eHl6", "cursor")]
    [InlineData("order=sideways", "order")]
    [InlineData("from=last-week", "from")]
    [InlineData("from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    public async Task InvalidListParametersAreRejected(string query, string field)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.GetAsync($"/api/events?conversation_id=c&{query}");

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task AReviewKeyCannotLogEventsAndNoKeyCannotReadThem()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var anonymous = app.ClientWithKey(null);

        using var post = await tenant.Review.PostAsync("/api/events", TenantClients.Json("""{"conversation_id":"c","event_type":"x","data":{}}"""));
        using var read = await anonymous.GetAsync("/api/events");

        await ApiAssert.ErrorAsync(post, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(read, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task AnIngestKeyCannotGiveVerdictsOrClaimReviews()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var feedback = await tenant.Ingest.PostAsync("/api/feedback", TenantClients.Json("""{"event_id":"x","status":"approved"}"""));
        using var claim = await tenant.Ingest.PostAsync("/api/feedback/pending/claim", null);
        using var pending = await tenant.Ingest.GetAsync("/api/feedback/pending");

        await ApiAssert.ErrorAsync(feedback, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(claim, HttpStatusCode.Forbidden, "FORBIDDEN");
        await ApiAssert.ErrorAsync(pending, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task TheBootstrapAdminKeyHasNoTenantDataToRead()
    {
        using var admin = app.AdminClient();

        using var response = await admin.GetAsync("/api/events");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Theory]
    [InlineData("""{"event_id":"EVENT","status":"maybe"}""", HttpStatusCode.BadRequest, "VALIDATION_ERROR")]
    [InlineData("""{"status":"approved"}""", HttpStatusCode.BadRequest, "VALIDATION_ERROR")]
    [InlineData("""{"event_id":"EVENT","status":"approved","submitted_at":"noon"}""", HttpStatusCode.BadRequest, "VALIDATION_ERROR")]
    [InlineData("""{"event_id":"EVENT","status":1}""", HttpStatusCode.BadRequest, "VALIDATION_ERROR")]
    [InlineData("""{"event_id":"no-such-event","status":"approved"}""", HttpStatusCode.NotFound, "NOT_FOUND")]
    public async Task InvalidFeedbackIsRejected(string template, HttpStatusCode status, string code)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var stored = await tenant.PostEventAsync(new { conversation_id = "c", event_type = "assistant_response", data = new { } });

        using var response = await tenant.Review.PostAsync("/api/feedback", TenantClients.Json(template.Replace("EVENT", stored.GetProperty("id").GetString(), StringComparison.Ordinal)));

        await ApiAssert.ErrorAsync(response, status, code);
    }

    [Fact]
    public async Task ListingFeedbackNeedsAKnownEventId()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var missing = await tenant.Review.GetAsync("/api/feedback");
        using var unknown = await tenant.Review.GetAsync("/api/feedback?event_id=nope");

        await ApiAssert.ErrorAsync(missing, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
    }
}
