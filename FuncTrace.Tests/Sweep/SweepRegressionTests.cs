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

    private async Task<HttpClient> ClientAsync(params string[] roles) =>
        app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), roles));
}
