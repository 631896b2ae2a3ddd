using System.Net;
using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

public sealed class TenantIsolationTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task ATenantSeesNoneOfAnotherTenantsEventsFeedbackOrQueue()
    {
        using var a = await TenantClients.CreateAsync(app);
        using var b = await TenantClients.CreateAsync(app);
        var stored = await a.PostEventAsync(new { id = "shared-id", conversation_id = "secret", event_type = "assistant_response", data = new { s = "a's data" } });
        using var verdictA = await a.Review.PostAsJsonAsync("/api/feedback", new { event_id = "shared-id", status = "pending", feedback_message = "a's note" });
        Assert.Equal(HttpStatusCode.Created, verdictA.StatusCode);
        // Wait until a's derived views hold the event, so b's empty answers below are not merely early.
        await Eventually.HoldsAsync("a's queue and timeline list the event", async () =>
            Ids(await GetAsync(a.Review, "/api/feedback/pending")).Count == 1 && Ids(await GetAsync(a.Ingest, "/api/events")).Count == 1);

        using var byId = await b.Ingest.GetAsync("/api/events/shared-id");
        var byConversation = await GetAsync(b.Ingest, "/api/events?conversation_id=secret");
        var timeline = await GetAsync(b.Ingest, "/api/events");
        var pending = await GetAsync(b.Review, "/api/feedback/pending");
        using var feedback = await b.Review.GetAsync("/api/feedback?event_id=shared-id");
        using var verdictB = await b.Review.PostAsJsonAsync("/api/feedback", new { event_id = "shared-id", status = "approved" });
        using var claim = await b.Review.PostAsync("/api/feedback/pending/claim", null);

        await ApiAssert.ErrorAsync(byId, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty(Ids(byConversation));
        Assert.Empty(Ids(timeline));
        Assert.Empty(Ids(pending));
        await ApiAssert.ErrorAsync(feedback, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(verdictB, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(HttpStatusCode.NoContent, claim.StatusCode);
        Assert.Equal([stored.GetProperty("id").GetString()!], Ids(await GetAsync(a.Review, "/api/feedback/pending")));
    }

    [Fact]
    public async Task ACursorFromOneTenantReadsNothingOfAnother()
    {
        using var a = await TenantClients.CreateAsync(app);
        using var b = await TenantClients.CreateAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await a.PostEventAsync(new { conversation_id = "c", event_type = "x", data = new { i } });
        }
        var page = await GetAsync(a.Ingest, "/api/events?conversation_id=c&limit=1");
        var cursor = Cursor(page);

        var other = await GetAsync(b.Ingest, $"/api/events?conversation_id=c&limit=1&cursor={cursor}");

        Assert.Empty(Ids(other));
    }
}
