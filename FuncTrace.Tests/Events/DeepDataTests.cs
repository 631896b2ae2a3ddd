using System.Net;
using System.Text;
using System.Text.Json;
using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Infrastructure.EventPages;

namespace FuncTrace.Tests.Events;

/// <summary>What the write path accepts, every read path serves: one depth limit, enforced where data comes in (issue 12, item 2).</summary>
public sealed class DeepDataTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    /// <summary>The deepest data an event may carry: the body is one level, so data may nest one level less than a body.</summary>
    private const int DeepestData = JsonBody.MaxBodyDepth - 1;

    [Fact]
    public async Task AnEventWithDataNestedSixtyTwoLevelsIsServedByEveryListThatHoldsIt()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var posted = await tenant.Ingest.PostAsync("/api/events", TenantClients.Json(
            $$"""{"conversation_id":"deep","event_type":"assistant_response","role":"assistant","data":{{Nested(62)}}}"""));

        var id = await CreatedIdAsync(posted);
        Assert.Equal(62, Depth((await GetAsync(tenant.Ingest, $"/api/events/{id}")).GetProperty("data")));
        Assert.Equal(62, Depth(Only(await GetAsync(tenant.Ingest, "/api/events?conversation_id=deep"))));
        Assert.Equal(62, Depth(Only(await GetAsync(tenant.Ingest, "/api/events?conversation_id=deep&order=desc"))));
        await Eventually.HoldsAsync("the timeline, the type list and the queue hold it", async () =>
            Ids(await GetAsync(tenant.Ingest, "/api/events")).Count == 1
            && Ids(await GetAsync(tenant.Ingest, "/api/events?event_type=assistant_response&order=desc")).Count == 1
            && Ids(await GetAsync(tenant.Review, "/api/feedback/pending")).Count == 1);
        Assert.Equal(62, Depth(Only(await GetAsync(tenant.Ingest, "/api/events"))));
        Assert.Equal(62, Depth(Only(await GetAsync(tenant.Review, "/api/feedback/pending"))));
        using var claim = await tenant.Review.PostAsync("/api/feedback/pending/claim", null);
        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        using var claimed = JsonDocument.Parse(await claim.Content.ReadAsStringAsync(), new JsonDocumentOptions { MaxDepth = 256 });
        Assert.Equal(62, Depth(claimed.RootElement.GetProperty("event").GetProperty("data")));
    }

    [Fact]
    public async Task TheDeepestDataAllowedIsAcceptedAlsoInABatchAndOneLevelMoreIsRefusedInBoth()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var single = await tenant.Ingest.PostAsync("/api/events", TenantClients.Json($$"""{"conversation_id":"edge","event_type":"x","data":{{Nested(DeepestData)}}}"""));
        using var batch = await tenant.Ingest.PostAsync("/api/events/batch", TenantClients.Json("""{"events":[{"conversation_id":"edge","event_type":"x","data":""" + Nested(DeepestData) + "}]}"));
        using var tooDeep = await tenant.Ingest.PostAsync("/api/events", TenantClients.Json($$"""{"conversation_id":"edge","event_type":"x","data":{{Nested(DeepestData + 1)}}}"""));
        using var tooDeepInBatch = await tenant.Ingest.PostAsync("/api/events/batch", TenantClients.Json(
            """{"events":[{"conversation_id":"edge","event_type":"x","data":""" + Nested(DeepestData + 1) + """},{"conversation_id":"edge","event_type":"x","data":{}}]}"""));

        await CreatedIdAsync(single);
        var batchBody = await ApiAssert.JsonAsync(batch, (HttpStatusCode)207);
        Assert.Equal(1, batchBody.GetProperty("created").GetInt32());
        var envelope = await ApiAssert.ErrorAsync(tooDeep, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains(JsonBody.MaxBodyDepth.ToString(System.Globalization.CultureInfo.InvariantCulture), envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var deepBatch = await ApiAssert.ErrorAsync(tooDeepInBatch, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains(JsonBody.MaxBodyDepth.ToString(System.Globalization.CultureInfo.InvariantCulture), deepBatch.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, Ids(await GetAsync(tenant.Ingest, "/api/events?conversation_id=edge")).Count);
    }

    /// <summary>An object nested <paramref name="levels"/> deep: {"d":{"d":…{}…}}.</summary>
    private static string Nested(int levels)
    {
        var json = new StringBuilder();
        for (var i = 1; i < levels; i++)
        {
            json.Append("{\"d\":");
        }
        json.Append("{\"leaf\":true}");
        json.Append('}', levels - 1);
        return json.ToString();
    }

    private static int Depth(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("d", out var inner) ? 1 + Depth(inner) : 1;

    private static JsonElement Only(JsonElement page) => Assert.Single(page.GetProperty("events").EnumerateArray()).GetProperty("data");

    private static async Task<string> CreatedIdAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201 but got {(int)response.StatusCode}: {body[..Math.Min(body.Length, 400)]}");
        using var json = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
        return json.RootElement.GetProperty("id").GetString()!;
    }
}
