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

    [Theory]
    [InlineData("GET", "/api/conversations/{0}")]
    [InlineData("DELETE", "/api/conversations/{0}")]
    [InlineData("POST", "/api/conversations/{0}/archive")]
    [InlineData("GET", "/api/sessions/{0}")]
    [InlineData("GET", "/api/sessions/{0}/events")]
    [InlineData("GET", "/api/sessions/{0}/events/stream")]
    [InlineData("DELETE", "/api/sessions/{0}")]
    public async Task AConversationIdTooLongOnceEscapedIs404(string method, string template)
    {
        using var client = await ClientAsync("ingest");
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Uri.EscapeDataString(new string('|', 200)));

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("conversation_id", 256, "event_type", "t")]
    [InlineData("event_type", 128, "conversation_id", "c")]
    [InlineData("id", 128, "conversation_id", "c")]
    public async Task AnEventWhoseIdsAreTooLongOnceEscapedIsAValidationErrorNamingTheField(string field, int pipes, string otherField, string otherValue)
    {
        using var client = await ClientAsync("ingest");
        var body = new Dictionary<string, object> { [field] = new string('|', pipes), [otherField] = otherValue, ["data"] = new { } };
        if (field != "event_type" && otherField != "event_type")
        {
            body["event_type"] = "t";
        }

        using var single = await client.PostAsync("/api/events", TenantClients.Json(System.Text.Json.JsonSerializer.Serialize(body)));
        using var batch = await client.PostAsync("/api/events/batch", TenantClients.Json(System.Text.Json.JsonSerializer.Serialize(new { events = new[] { body } })));

        var envelope = await ApiAssert.ErrorAsync(single, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal(field, envelope.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
        var item = Assert.Single((await ApiAssert.JsonAsync(batch, HttpStatusCode.MultiStatus)).GetProperty("results").EnumerateArray());
        Assert.Equal("VALIDATION_ERROR", item.GetProperty("error").GetProperty("code").GetString());
    }

    private async Task<HttpClient> ClientAsync(params string[] roles) =>
        app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), roles));
}
