using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.External.ExternalClients;

namespace FuncTrace.Tests.External;

/// <summary>Every failure under /api/external answers in the face's own envelope, with a 4xx (never a 5xx).</summary>
public sealed class ExternalTraceErrorTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task AMissingApiKeyIs401InTheExternalEnvelope()
    {
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c"}}"""));

        Assert.Contains("API key", await ExternalAssert.FailureAsync(response, HttpStatusCode.Unauthorized), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownApiKeyIs401InTheExternalEnvelope()
    {
        using var client = PythonClient(app, "ftk_not-a-key");

        using var response = await client.PostAsync("/api/external/trace/feedback", Json("""{"traceId": "x", "value": 1}"""));

        await ExternalAssert.FailureAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AReviewKeyMayGiveFeedbackButNotSubmitTraces()
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "review"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c"}}"""));

        Assert.Contains("'ingest'", await ExternalAssert.FailureAsync(response, HttpStatusCode.Forbidden), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJsonIs400InTheExternalEnvelope()
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": """));

        Assert.Contains("not valid JSON", await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIs415InTheExternalEnvelope()
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/feedback", new StringContent("traceId=x&value=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ExternalAssert.FailureAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AnUnknownRouteUnderExternalIs404InTheExternalEnvelope()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/external/trace/nothing-here");

        await ExternalAssert.FailureAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FeedbackOnAnUnknownTraceIs404()
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/feedback", Json("""{"traceId": "01NOSUCHTRACE", "value": 1}"""));

        Assert.Equal("No event with id '01NOSUCHTRACE'.", await ExternalAssert.FailureAsync(response, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task FeedbackOnAnotherTenantsTraceIs404()
    {
        var owner = FuncTraceApp.NewTenant();
        await RegisterAsync(app, owner, "owner@example.com");
        using var ownerClient = PythonClient(app, await app.CreateKeyAsync(owner, "ingest"));
        var id = await SubmitAsync(ownerClient, """{"email": "owner@example.com", "message": "hi", "metadata": {"chatId": "c"}}""");
        using var stranger = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await stranger.PostAsync("/api/external/trace/feedback", Json($$"""{"traceId": "{{id}}", "value": 1}"""));

        await ExternalAssert.FailureAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"message": "hi", "metadata": {"chatId": "c"}}""", "'email'")]
    [InlineData("""{"email": "a@example.com", "metadata": {"chatId": "c"}}""", "'message'")]
    [InlineData("""{"email": "a@example.com", "message": "hi"}""", "'metadata'")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": "c"}""", "'metadata'")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"source": "web"}}""", "chatId")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "a/b"}}""", "metadata.chatId")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"sessionId": "a#b"}}""", "metadata.sessionId")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "task": "a?b"}}""", "metadata.task")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "role": "system", "metadata": {"chatId": "c"}}""", "'role'")]
    [InlineData("""{"email": "a@example.com", "message": 5, "metadata": {"chatId": "c"}}""", "'message'")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "usage": {"promptTokens": "12"}}}""", "usage.promptTokens")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "usage": {"promptTokens": -1}}}""", "usage.promptTokens")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "usage": {"totalTokens": 9223372036854775807}}}""", "usage.totalTokens")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "usage": {"totalTokens": 1e30}}}""", "usage.totalTokens")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "tags": "one"}}""", "tags")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "timestamp": "yesterday"}}""", "metadata.timestamp")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "timestamp": "1969-12-31T23:59:59Z"}}""", "metadata.timestamp")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "ipAddress": 7, "metadata": {"chatId": "c"}}""", "'ipAddress'")]
    public async Task AnInvalidSubmissionIs400NamingTheField(string json, string expected)
    {
        var tenant = FuncTraceApp.NewTenant();
        await RegisterAsync(app, tenant, "a@example.com");
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json(json));

        Assert.Contains(expected, await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverlongFieldsAre400NamingTheField()
    {
        var tenant = FuncTraceApp.NewTenant();
        await RegisterAsync(app, tenant, "a@example.com");
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant, "ingest"));
        var longIp = new string('1', 101);
        var longModel = new string('m', 201);
        var bigMetadata = new string('x', 17 * 1024);

        using var ip = await client.PostAsync("/api/external/trace/submit", Json($$"""{"email": "a@example.com", "message": "hi", "ipAddress": "{{longIp}}", "metadata": {"chatId": "c"} }"""));
        using var model = await client.PostAsync("/api/external/trace/submit", Json($$"""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "modelName": "{{longModel}}"} }"""));
        using var metadata = await client.PostAsync("/api/external/trace/submit", Json($$"""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "notes": "{{bigMetadata}}"} }"""));

        Assert.Contains("'ipAddress'", await ExternalAssert.FailureAsync(ip, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("'metadata.modelName'", await ExternalAssert.FailureAsync(model, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("'metadata'", await ExternalAssert.FailureAsync(metadata, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"value": 1}""", "traceId")]
    [InlineData("""{"traceId": "t"}""", "value")]
    [InlineData("""{"traceId": "t", "comment": "  "}""", "value")]
    [InlineData("""{"traceId": "t", "value": "great"}""", "'value'")]
    [InlineData("""{"traceId": "t", "value": 1e400}""", "'value'")]
    [InlineData("""{"traceId": "t", "score": [1]}""", "'score'")]
    [InlineData("""{"traceId": "a/b", "value": 1}""", "'traceId'")]
    [InlineData("""{"messageId": 5, "value": 1}""", "'messageId'")]
    public async Task AnInvalidFeedbackIs400NamingTheField(string json, string expected)
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/feedback", Json(json));

        Assert.Contains(expected, await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOversizedBodyIs413InTheExternalEnvelope()
    {
        await using var small = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:MaxRequestBodyBytes"] = "1024" });
        await small.StartAsync();
        using var client = PythonClient(small, await small.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json($$"""{"email": "a@example.com", "message": "{{new string('x', 4096)}}", "metadata": {"chatId": "c"} }"""));

        await ExternalAssert.FailureAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task WhenTheFaceIsDisabledEveryExternalRouteIs503BeforeAuthentication()
    {
        await using var disabled = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:ExternalTrace:Enabled"] = "false" });
        await disabled.StartAsync();
        using var client = disabled.CreateClient();

        using var health = await client.GetAsync("/api/external/health");
        using var submit = await client.PostAsync("/api/external/trace/submit", Json("{}"));
        using var feedback = await client.PostAsync("/api/external/trace/feedback", Json("{}"));
        using var other = await client.GetAsync("/api/health");

        Assert.Equal("External trace API is not enabled", await ExternalAssert.FailureAsync(health, HttpStatusCode.ServiceUnavailable));
        Assert.Equal("External trace API is not enabled", await ExternalAssert.FailureAsync(submit, HttpStatusCode.ServiceUnavailable));
        Assert.Equal("External trace API is not enabled", await ExternalAssert.FailureAsync(feedback, HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task WithHashingOnTheIpAddressIsStoredAsAKeyedHash()
    {
        await using var hashing = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["FuncTrace:ExternalTrace:HashIpAddresses"] = "true",
            ["FuncTrace:ExternalTrace:IpHashSalt"] = "deployment-secret",
        });
        await hashing.StartAsync();
        var tenant = FuncTraceApp.NewTenant();
        await RegisterAsync(hashing, tenant, "a@example.com");
        using var client = PythonClient(hashing, await hashing.CreateKeyAsync(tenant, "ingest"));

        var id = await SubmitAsync(client, """{"email": "a@example.com", "message": "hi", "ipAddress": "198.51.100.4", "metadata": {"chatId": "c"}}""");
        var again = await SubmitAsync(client, """{"email": "a@example.com", "message": "hi", "ipAddress": " 198.51.100.4 ", "metadata": {"chatId": "c"}}""");

        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/events/{id}");
        var data = stored.GetProperty("data");
        Assert.False(data.TryGetProperty("ipAddress", out _));
        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", data.GetProperty("ipAddressHash").GetString());
        Assert.DoesNotContain("198.51.100.4", stored.GetRawText(), StringComparison.Ordinal);
        var second = await client.GetFromJsonAsync<JsonElement>($"/api/events/{again}");
        Assert.Equal(data.GetProperty("ipAddressHash").GetString(), second.GetProperty("data").GetProperty("ipAddressHash").GetString());
    }

    [Fact]
    public async Task TheAppRefusesToStartWithHashingOnAndNoSaltAndNamesTheSetting()
    {
        await using var unsalted = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:ExternalTrace:HashIpAddresses"] = "true" });

        var failure = await Assert.ThrowsAnyAsync<Exception>(unsalted.StartAsync);

        Assert.Contains("FuncTrace__ExternalTrace__IpHashSalt", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredOriginGetsCorsHeadersAndAnotherDoesNot()
    {
        await using var cors = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Cors:Origins"] = "https://app.example.com, https://admin.example.com" });
        await cors.StartAsync();
        using var client = cors.CreateClient();

        using var allowed = new HttpRequestMessage(HttpMethod.Options, "/api/external/trace/submit");
        allowed.Headers.Add("Origin", "https://admin.example.com");
        allowed.Headers.Add("Access-Control-Request-Method", "POST");
        allowed.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
        using var preflight = await client.SendAsync(allowed);
        using var refusedRequest = new HttpRequestMessage(HttpMethod.Get, "/api/external/health");
        refusedRequest.Headers.Add("Origin", "https://evil.example.com");
        using var refused = await client.SendAsync(refusedRequest);
        using var unauthorizedRequest = new HttpRequestMessage(HttpMethod.Post, "/api/external/trace/submit") { Content = Json("{}") };
        unauthorizedRequest.Headers.Add("Origin", "https://app.example.com");
        using var unauthorized = await client.SendAsync(unauthorizedRequest);

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("https://admin.example.com", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("X-API-Key", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        await ExternalAssert.FailureAsync(unauthorized, HttpStatusCode.Unauthorized);
        Assert.Equal("https://app.example.com", unauthorized.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task EveryExternalRouteAnswersAPreflightAndAPlainOptionsSaysWhatItAllows()
    {
        await using var cors = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Cors:Origins"] = "https://app.example.com" });
        await cors.StartAsync();
        using var client = cors.CreateClient();

        foreach (var (path, method) in new[] { ("/api/external/health", "GET"), ("/api/external/trace/submit", "POST"), ("/api/external/trace/feedback", "POST") })
        {
            using var preflightRequest = new HttpRequestMessage(HttpMethod.Options, path);
            preflightRequest.Headers.Add("Origin", "https://app.example.com");
            preflightRequest.Headers.Add("Access-Control-Request-Method", method);
            using var preflight = await client.SendAsync(preflightRequest);
            Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
            Assert.Equal("https://app.example.com", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        using var plain = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/api/external/health"));
        Assert.Equal(HttpStatusCode.NoContent, plain.StatusCode);
        Assert.Equal(["GET", "OPTIONS"], plain.Content.Headers.Allow);
    }

    [Fact]
    public async Task WithoutConfiguredOriginsNoOriginIsAllowed()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/external/health");
        request.Headers.Add("Origin", "https://app.example.com");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
