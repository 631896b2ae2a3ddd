using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using Xunit.Abstractions;
using static FuncTrace.Tests.Events.ReviewClaimTests;

namespace FuncTrace.Tests.Events;

/// <summary>Reviewers racing for the queue and for one event's verdict (issue 12, items 5 and 6).</summary>
[Collection(HeavyTests.Name)]
public sealed class ReviewRaceTests(ReviewRaceTests.App app, ITestOutputHelper output) : IClassFixture<ReviewRaceTests.App>
{
    /// <summary>Rate limits off: the races, not the limiter, are under test.</summary>
    public sealed class App() : FuncTraceApp(new Dictionary<string, string?> { ["FuncTrace:RateLimits:PerKeyPerMinute"] = "0" });

    [Fact]
    public async Task ThreeHundredConcurrentClaimsEachGetADistinctEventAndNoneIsTurnedAwayWhileAnyIsLeft()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        const int pending = 350;
        const int claimers = 300;
        var events = Enumerable.Range(0, pending).Select(i => new { conversation_id = $"c{i % 7}", event_type = "assistant_response", data = new { i } }).ToList();
        using (var batch = await tenant.Ingest.PostAsJsonAsync("/api/events/batch", new { events }))
        {
            Assert.Equal(pending, (await ApiAssert.JsonAsync(batch, (HttpStatusCode)207)).GetProperty("created").GetInt32());
        }
        var reviewers = new List<HttpClient>();
        for (var r = 0; r < 30; r++)
        {
            reviewers.Add(app.ClientWithKey(await app.CreateKeyAsync(tenant.Tenant, "review")));
        }
        await Eventually.HoldsAsync($"{pending} events are pending", async () => await PendingCountAsync(tenant) == pending);

        var clock = Stopwatch.StartNew();
        var first = await Task.WhenAll(Enumerable.Range(0, claimers).Select(n => ClaimAsync(reviewers[n % reviewers.Count])));
        var firstWave = clock.Elapsed;
        clock.Restart();
        var second = await Task.WhenAll(Enumerable.Range(0, 100).Select(n => ClaimAsync(reviewers[n % reviewers.Count])));
        var secondWave = clock.Elapsed;
        output.WriteLine($"{claimers} concurrent claims on {pending} pending: {firstWave.TotalSeconds:F1} s; 100 more on the {pending - claimers} left: {secondWave.TotalSeconds:F1} s");

        Assert.All(first, id => Assert.NotNull(id));
        Assert.Equal(claimers, first.Distinct().Count());
        Assert.Equal(pending - claimers, second.Count(id => id is not null));
        var all = first.Concat(second).Where(id => id is not null).ToList();
        Assert.Equal(pending, all.Distinct().Count());
        Assert.Null(await ClaimAsync(tenant.Review));
        reviewers.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task AVerdictFromAReviewerWithoutTheLeaseIsAConflictNamingTheHolderAndTheLeaseEnd()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        using var other = app.ClientWithKey(await app.CreateKeyAsync(tenant.Tenant, "review"));
        var id = (await tenant.PostEventAsync(new { conversation_id = "lease", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        await Eventually.HoldsAsync("the event is pending", async () => await PendingCountAsync(tenant) == 1);
        using var claim = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        var lease = await ApiAssert.JsonAsync(claim, HttpStatusCode.OK);

        using var refused = await other.PostAsJsonAsync("/api/feedback", new { event_id = id, status = "rejected" });
        using var comment = await other.PostAsJsonAsync("/api/feedback", new { event_id = id, status = "pending", feedback_message = "a note is not a verdict" });
        using var holders = await tenant.Review.PostAsJsonAsync("/api/feedback", new { event_id = id, status = "approved" });

        var envelope = await ApiAssert.ErrorAsync(refused, HttpStatusCode.Conflict, "CONFLICT");
        var details = envelope.GetProperty("error").GetProperty("details");
        Assert.Equal(lease.GetProperty("reviewer").GetString(), details.GetProperty("reviewer").GetString());
        Assert.Equal(lease.GetProperty("lease_expires_at").GetDateTimeOffset(), details.GetProperty("lease_expires_at").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.Created, comment.StatusCode);
        Assert.Equal("approved", (await ApiAssert.JsonAsync(holders, HttpStatusCode.Created)).GetProperty("status").GetString());
        Assert.Equal("approved", (await EventPages.GetAsync(tenant.Ingest, $"/api/events/{id}")).GetProperty("review_status").GetString());
    }

    [Fact]
    public async Task OfFiftyConcurrentConflictingVerdictsExactlyOneWinsAndOnlyItsReplaysAreOk()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var reviewers = new List<HttpClient>();
        for (var r = 0; r < 5; r++)
        {
            reviewers.Add(app.ClientWithKey(await app.CreateKeyAsync(tenant.Tenant, "review")));
        }
        var id = (await tenant.PostEventAsync(new { conversation_id = "race", event_type = "assistant_response", data = new { } })).GetProperty("id").GetString();
        // Twenty copies of one verdict (the same reviewer and words: replays of each other) and thirty different ones.
        var attempts = Enumerable.Range(0, 50).Select(n => n < 20
            ? (Reviewer: 0, Status: "approved", Message: "the same verdict")
            : (Reviewer: n % 5, Status: n % 2 == 0 ? "approved" : "rejected", Message: $"verdict {n}")).ToList();

        var results = await Task.WhenAll(attempts.Select(async a =>
        {
            using var response = await reviewers[a.Reviewer].PostAsJsonAsync("/api/feedback", new { event_id = id, status = a.Status, feedback_message = a.Message });
            return (a, response.StatusCode, Body: await response.Content.ReadFromJsonAsync<JsonElement>());
        }));

        var winner = Assert.Single(results, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.Created), r =>
        {
            if (r.a == winner.a)
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.Equal(winner.Body.GetProperty("id").GetString(), r.Body.GetProperty("id").GetString());
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
                Assert.Equal("CONFLICT", r.Body.GetProperty("error").GetProperty("code").GetString());
            }
        });
        var stored = await EventPages.GetAsync(tenant.Ingest, $"/api/events/{id}");
        Assert.Equal(winner.a.Status, stored.GetProperty("review_status").GetString());
        var feedback = await EventPages.GetAsync(tenant.Review, $"/api/feedback?event_id={id}");
        var verdict = Assert.Single(feedback.GetProperty("feedback").EnumerateArray());
        Assert.Equal(winner.a.Message, verdict.GetProperty("feedback_message").GetString());
        reviewers.ForEach(r => r.Dispose());
    }
}
