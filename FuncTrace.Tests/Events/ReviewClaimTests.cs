using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>The review queue is derived: each test first waits for its events to be pending, then claims.</summary>
public sealed class ReviewClaimTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ParallelClaimsNeverHandTheSameEventToTwoReviewers()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        const int events = 12;
        for (var i = 0; i < events; i++)
        {
            await tenant.PostEventAsync(new { conversation_id = "queue", event_type = "assistant_response", timestamp = $"2025-01-01T00:00:{i:D2}Z", data = new { i } });
        }
        var reviewers = new List<HttpClient>();
        for (var r = 0; r < 4; r++)
        {
            reviewers.Add(app.ClientWithKey(await app.CreateKeyAsync(tenant.Tenant, "review")));
        }
        await WaitForPendingAsync(tenant, events);

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(n => ClaimAsync(reviewers[n % reviewers.Count])));

        var claimed = claims.Where(id => id is not null).ToList();
        Assert.Equal(events, claimed.Count);
        Assert.Equal(events, claimed.Distinct().Count());
        reviewers.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task AClaimHandsOutTheOldestUnheldEventAndAVerdictRemovesIt()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var older = await tenant.PostEventAsync(new { conversation_id = "q", event_type = "spec_created", timestamp = "2025-01-01T00:00:00Z", data = new { } });
        var newer = await tenant.PostEventAsync(new { conversation_id = "q", event_type = "spec_created", timestamp = "2025-01-02T00:00:00Z", data = new { } });
        await WaitForPendingAsync(tenant, 2);

        using var first = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        using var second = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        using var third = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);

        var firstClaim = await ApiAssert.JsonAsync(first, HttpStatusCode.OK);
        var secondClaim = await ApiAssert.JsonAsync(second, HttpStatusCode.OK);
        Assert.Equal(older.GetProperty("id").GetString(), firstClaim.GetProperty("event").GetProperty("id").GetString());
        Assert.Equal(newer.GetProperty("id").GetString(), secondClaim.GetProperty("event").GetProperty("id").GetString());
        Assert.True(firstClaim.GetProperty("lease_expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(4));
        Assert.Equal(HttpStatusCode.NoContent, third.StatusCode);

        using var verdict = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = older.GetProperty("id").GetString(), status = "rejected", feedback_message = "wrong" });
        Assert.Equal(HttpStatusCode.Created, verdict.StatusCode);
        Assert.Equal([newer.GetProperty("id").GetString()!], Ids(await GetAsync(tenant.Review, "/api/feedback/pending")));
        await Eventually.HoldsAsync("the count drops to one", async () => await PendingCountAsync(tenant) == 1);
    }

    [Fact]
    public async Task AnExpiredLeaseFreesTheEventForTheNextClaim()
    {
        await using var shortLeases = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Events:ReviewLeaseSeconds"] = "5" });
        await shortLeases.StartAsync();
        using var tenant = await TenantClients.CreateAsync(shortLeases);
        var stored = await tenant.PostEventAsync(new { conversation_id = "q", event_type = "spec_created", data = new { } });
        await WaitForPendingAsync(tenant, 1);

        using var first = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var whileHeld = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        Assert.Equal(HttpStatusCode.NoContent, whileHeld.StatusCode);

        string? reclaimed = null;
        await Eventually.HoldsAsync("the event can be claimed again once its lease ends", async () => (reclaimed = await ClaimAsync(tenant.Review)) is not null);
        Assert.Equal(stored.GetProperty("id").GetString(), reclaimed);
    }

    private static async Task WaitForPendingAsync(TenantClients tenant, int count) =>
        await Eventually.HoldsAsync($"{count} events are pending", async () => await PendingCountAsync(tenant) == count);

    public static async Task<long> PendingCountAsync(TenantClients tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return (await GetAsync(tenant.Review, "/api/feedback/pending/count")).GetProperty("pending").GetInt64();
    }

    /// <summary>The claimed event's id, or null on 204; anything else fails the test.</summary>
    public static async Task<string?> ClaimAsync(HttpClient reviewer)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        using var response = await reviewer.PostAsync("/api/feedback/pending/claim", null);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        return body.GetProperty("event").GetProperty("id").GetString();
    }
}
