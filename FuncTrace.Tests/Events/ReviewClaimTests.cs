using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Events;

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

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(async n =>
        {
            using var response = await reviewers[n % reviewers.Count].PostAsync("/api/feedback/pending/claim", null);
            return response.StatusCode == HttpStatusCode.OK
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("event").GetProperty("id").GetString()
                : null;
        }));

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
        var pending = await tenant.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending");
        Assert.Equal([newer.GetProperty("id").GetString()], pending.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task AnExpiredLeaseFreesTheEventForTheNextClaim()
    {
        using var shortLeases = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Events:ReviewLeaseSeconds"] = "1" });
        using var tenant = await TenantClients.CreateAsync(shortLeases);
        var stored = await tenant.PostEventAsync(new { conversation_id = "q", event_type = "spec_created", data = new { } });

        using var first = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        HttpStatusCode status;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement reclaimed = default;
        do
        {
            await Task.Delay(250);
            using var again = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
            status = again.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                reclaimed = await again.Content.ReadFromJsonAsync<JsonElement>();
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(stored.GetProperty("id").GetString(), reclaimed.GetProperty("event").GetProperty("id").GetString());
    }
}
