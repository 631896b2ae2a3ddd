using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

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

        using var byId = await b.Ingest.GetAsync("/api/events/shared-id");
        var byConversation = await b.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=secret");
        var timeline = await b.Ingest.GetFromJsonAsync<JsonElement>("/api/events");
        var pending = await b.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending");
        using var feedback = await b.Review.GetAsync("/api/feedback?event_id=shared-id");
        using var verdictB = await b.Review.PostAsJsonAsync("/api/feedback", new { event_id = "shared-id", status = "approved" });
        using var claim = await b.Review.PostAsync("/api/feedback/pending/claim", null);

        await ApiAssert.ErrorAsync(byId, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(0, byConversation.GetProperty("events").GetArrayLength());
        Assert.Equal(0, timeline.GetProperty("events").GetArrayLength());
        Assert.Equal(0, pending.GetProperty("events").GetArrayLength());
        await ApiAssert.ErrorAsync(feedback, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(verdictB, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(HttpStatusCode.NoContent, claim.StatusCode);

        var stillPendingForA = await a.Review.GetFromJsonAsync<JsonElement>("/api/feedback/pending");
        Assert.Equal(stored.GetProperty("id").GetString(), stillPendingForA.GetProperty("events")[0].GetProperty("id").GetString());
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
        var page = await a.Ingest.GetFromJsonAsync<JsonElement>("/api/events?conversation_id=c&limit=1");
        var cursor = page.GetProperty("next_cursor").GetString();

        var other = await b.Ingest.GetFromJsonAsync<JsonElement>($"/api/events?conversation_id=c&limit=1&cursor={cursor}");

        Assert.Equal(0, other.GetProperty("events").GetArrayLength());
    }
}
