using System.Net;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sweep;

/// <summary>One focused test per rule violation the bad-input sweep found.</summary>
public sealed class SweepRegressionTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Theory]
    [InlineData("""{"judgingMatrix": "\uD800", "tests": [{"id": 1, "text": "t"}]}""")]
    [InlineData("""{"judgingMatrix": "m", "tests": [{"id": 1, "text": "a\uDC00b"}]}""")]
    [InlineData("""{"\uD800": 1, "tests": [{"id": 1, "text": "t"}]}""")]
    public async Task ALoneSurrogateInABatchScoreBodyIsAValidationError(string body)
    {
        using var client = await ClientAsync("ingest");

        using var response = await client.PostAsync("/api/batchScore", TenantClients.Json(body));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("not valid Unicode", envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8InABodyIsAValidationErrorEvenWhereTheFieldIsUnknown()
    {
        using var client = await ClientAsync("ingest");
        var bytes = new ByteArrayContent([.. "{\"name\": \"ok\", \""u8, 0xFF, 0xFE, .. "\": 1}"u8]);
        bytes.Headers.ContentType = FuncTraceApp.Json;

        using var response = await client.PostAsync("/api/sessions", bytes);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Theory]
    [InlineData("/api/events?from=0001-01-01T00:00:00Z&order=desc")]
    [InlineData("/api/events?to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("/api/feedback/pending?to=9999-12-31T23:59:59.9999999Z&order=desc")]
    [InlineData("/api/events?conversation_id=c&from=0001-01-01&to=9999-12-31T23:59:59.9999999Z&order=desc")]
    public async Task EventListsBoundedByTheFirstOrLastRepresentableInstantAreServed(string url)
    {
        using var client = await ClientAsync("ingest", "review");
        using var created = await client.PostAsync("/api/events", TenantClients.Json("""{"conversation_id": "c", "event_type": "assistant_response", "data": {}}"""));
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);

        using var response = await client.GetAsync(url);

        var page = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Single(page.GetProperty("events").EnumerateArray());
    }

    private async Task<HttpClient> ClientAsync(params string[] roles) =>
        app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), roles));
}
