using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Conversations;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Status;

/// <summary>The counters are derived by the views: the tests wait until they count what was written, then assert exactly.</summary>
public sealed class StatusTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task StatusCountsEventsFeedbackAndPendingReviewsOfTheCallersTenantOnly()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var other = await TenantClients.CreateAsync(app);
        var reviewed = await tenant.PostEventAsync(new { conversation_id = "s", event_type = "assistant_response", data = new { } });
        await tenant.PostEventAsync(new { conversation_id = "s", event_type = "assistant_response", data = new { } });
        await tenant.PostEventAsync(new { conversation_id = "s", event_type = "tool_call", data = new { } });
        await other.PostEventAsync(new { conversation_id = "s", event_type = "tool_call", data = new { } });
        using var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = reviewed.GetProperty("id").GetString(), status = "approved" });
        using var note = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = reviewed.GetProperty("id").GetString(), feedback_message = "noted" });
        Assert.Equal(HttpStatusCode.Created, verdict.StatusCode);
        Assert.Equal(HttpStatusCode.Created, note.StatusCode);

        var status = await ConversationTests.WaitForAsync(tenant, "/api/status", s =>
            s.GetProperty("events_ingested").GetInt64() >= 3 && s.GetProperty("feedback_given").GetInt64() >= 2 && s.GetProperty("pending_reviews").GetInt64() <= 1);
        var metrics = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/observability/metrics");
        var otherStatus = await ConversationTests.WaitForAsync(other, "/api/status", s => s.GetProperty("events_ingested").GetInt64() >= 1);

        Assert.Equal("ok", status.GetProperty("status").GetString());
        Assert.Equal(tenant.Tenant, status.GetProperty("tenant").GetString());
        Assert.True(status.GetProperty("timestamp").TryGetDateTimeOffset(out _));
        Assert.Equal(3, status.GetProperty("events_ingested").GetInt64());
        Assert.Equal(2, status.GetProperty("feedback_given").GetInt64());
        Assert.Equal(1, status.GetProperty("pending_reviews").GetInt64());
        Assert.Equal(0, status.GetProperty("queue_depth").GetInt64());
        Assert.Equal(3, metrics.GetProperty("counters").GetProperty("events_ingested").GetInt64());
        Assert.Equal(2, metrics.GetProperty("counters").GetProperty("feedback_given").GetInt64());
        Assert.Equal(1, metrics.GetProperty("counters").GetProperty("pending_reviews").GetInt64());
        var queues = metrics.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()).ToList();
        Assert.Subset(queues.ToHashSet(), new HashSet<string?> { "score", "score-poison", "ingest", "ingest-poison" });
        Assert.All(metrics.GetProperty("queues").EnumerateArray(), q => Assert.True(q.GetProperty("approximate_messages").GetInt64() >= 0));
        Assert.Equal(1, otherStatus.GetProperty("events_ingested").GetInt64());
        Assert.Equal(0, otherStatus.GetProperty("feedback_given").GetInt64());
        Assert.Equal(0, otherStatus.GetProperty("pending_reviews").GetInt64());
    }

    [Fact]
    public async Task AFreshTenantCountsNothing()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        var status = await tenant.Review.GetFromJsonAsync<JsonElement>("/api/status");

        Assert.Equal(0, status.GetProperty("events_ingested").GetInt64());
        Assert.Equal(0, status.GetProperty("feedback_given").GetInt64());
        Assert.Equal(0, status.GetProperty("pending_reviews").GetInt64());
        Assert.Equal(0, status.GetProperty("jobs_created").GetInt64());
    }

    [Fact]
    public async Task StatusNeedsATenantKey()
    {
        using var anonymous = app.CreateClient();
        using var bootstrap = app.AdminClient();

        using var noKey = await anonymous.GetAsync("/api/status");
        using var noTenant = await bootstrap.GetAsync("/api/observability/metrics");

        await ApiAssert.ErrorAsync(noKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(noTenant, HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}
