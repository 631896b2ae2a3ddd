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

    [Theory]
    [InlineData("to=0001-01-01")]
    [InlineData("to=0001-03-01&group_by=month")]
    [InlineData("to=9999-12-31")]
    [InlineData("from=9999-12-31&to=9999-12-31T23:59:59.9999999Z")]
    [InlineData("from=9999-01-01&to=9999-12-31&group_by=month")]
    public async Task UsageReportsAtTheEdgesOfTheCalendarAreServed(string query)
    {
        using var client = await ClientAsync("ingest");

        using var response = await client.GetAsync("/api/usage?" + query);

        var report = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Empty(report.GetProperty("usage").EnumerateArray());
    }

    [Fact]
    public async Task UsageOnTheLastDayOfAPeriodIsStillCounted()
    {
        using var client = await ClientAsync("ingest");
        using var created = await client.PostAsync("/api/events", TenantClients.Json("""
            {"conversation_id": "c", "event_type": "tool_call", "timestamp": "2026-03-31T23:00:00Z", "data": {}, "model": "gpt-4o",
             "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}
            """));
        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);

        using var daily = await client.GetAsync("/api/usage?from=2026-03-31&to=2026-03-31");
        using var monthly = await client.GetAsync("/api/usage?from=2026-03-01&to=2026-03-31&group_by=month");

        Assert.Equal(7, (await ApiAssert.JsonAsync(daily, HttpStatusCode.OK)).GetProperty("totals").GetProperty("total_tokens").GetInt64());
        Assert.Equal(7, (await ApiAssert.JsonAsync(monthly, HttpStatusCode.OK)).GetProperty("totals").GetProperty("total_tokens").GetInt64());
    }

    [Theory]
    [InlineData("meta-llama/Llama-3-70B", "alice@example.com")]
    [InlineData("a\\b#c?d\u0001", "x/y#z?\u001f")]
    [InlineData("||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||||", "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%")]
    public async Task AnEventWhoseModelOrUserNoTableKeyCouldHoldIsStoredAndCountedInUsage(string model, string user)
    {
        using var client = await ClientAsync("ingest");
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            conversation_id = "c",
            event_type = "tool_call",
            timestamp = "2026-05-05T10:00:00Z",
            data = new { },
            model,
            user,
            usage = new { prompt_tokens = 1, completion_tokens = 2, total_tokens = 3 },
        });

        using var created = await client.PostAsync("/api/events", TenantClients.Json(body));
        using var report = await client.GetAsync("/api/usage?from=2026-05-05&to=2026-05-05");

        await ApiAssert.JsonAsync(created, HttpStatusCode.Created);
        var line = Assert.Single((await ApiAssert.JsonAsync(report, HttpStatusCode.OK)).GetProperty("usage").EnumerateArray());
        Assert.Equal(model, line.GetProperty("model").GetString());
        Assert.Equal(user, line.GetProperty("user").GetString());
        Assert.Equal(3, line.GetProperty("total_tokens").GetInt64());
    }

    [Theory]
    [InlineData("a%23b")]
    [InlineData("a%5Cb")]
    [InlineData("a%3Fb")]
    [InlineData("%01")]
    [InlineData("job-0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task CancellingAJobWhoseIdNoJobCouldHaveIs404(string escapedJobId)
    {
        using var client = await ClientAsync("ingest");

        using var response = await client.DeleteAsync("/api/batchScore/" + escapedJobId);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    private async Task<HttpClient> ClientAsync(params string[] roles) =>
        app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), roles));
}
