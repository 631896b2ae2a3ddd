using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Faces.ExternalTraceClientTests;

namespace FuncTrace.Tests.Faces;

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
    public async Task MalformedJsonIs400InTheExternalEnvelope()
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": """));

        Assert.Contains("not valid JSON", await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
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

        Assert.Contains("01NOSUCHTRACE", await ExternalAssert.FailureAsync(response, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"message": "hi", "metadata": {"chatId": "c"}}""", "'email'")]
    [InlineData("""{"email": "a@example.com", "metadata": {"chatId": "c"}}""", "'message'")]
    [InlineData("""{"email": "a@example.com", "message": "hi"}""", "'metadata'")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"source": "web"}}""", "chatId")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "a/b"}}""", "metadata.chatId")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "role": "system", "metadata": {"chatId": "c"}}""", "'role'")]
    [InlineData("""{"email": "a@example.com", "message": 5, "metadata": {"chatId": "c"}}""", "'message'")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "usage": {"promptTokens": "12"}}}""", "usage.promptTokens")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "usage": {"promptTokens": -1}}}""", "'usage'")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "tags": "one"}}""", "tags")]
    [InlineData("""{"email": "a@example.com", "message": "hi", "metadata": {"chatId": "c", "timestamp": "yesterday"}}""", "metadata.timestamp")]
    public async Task AnInvalidSubmissionIs400NamingTheField(string json, string expected)
    {
        var tenant = FuncTraceApp.NewTenant();
        using (var admin = app.AdminClient())
        {
            using var registered = await admin.PostAsJsonAsync("/api/admin/users", new { tenant, email = "a@example.com" });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }
        using var client = PythonClient(app, await app.CreateKeyAsync(tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json(json));

        Assert.Contains(expected, await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"value": 1}""", "traceId")]
    [InlineData("""{"traceId": "t"}""", "value")]
    [InlineData("""{"traceId": "t", "value": "great"}""", "'value'")]
    [InlineData("""{"traceId": "t", "score": [1]}""", "'score'")]
    public async Task AnInvalidFeedbackIs400NamingTheField(string json, string expected)
    {
        using var client = PythonClient(app, await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/feedback", Json(json));

        Assert.Contains(expected, await ExternalAssert.FailureAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOversizedBodyIs413InTheExternalEnvelope()
    {
        using var small = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:MaxRequestBodyBytes"] = "1024" });
        using var client = PythonClient(small, await small.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json($$"""{"email": "a@example.com", "message": "{{new string('x', 4096)}}", "metadata": {"chatId": "c"} }"""));

        await ExternalAssert.FailureAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task WhenTheFaceIsDisabledEveryExternalRouteIs503BeforeAuthentication()
    {
        using var disabled = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:ExternalTrace:Enabled"] = "false" });
        using var client = disabled.CreateClient();

        using var health = await client.GetAsync("/api/external/health");
        using var submit = await client.PostAsync("/api/external/trace/submit", Json("{}"));
        using var other = await client.GetAsync("/api/health");

        Assert.Equal("External trace API is not enabled", await ExternalAssert.FailureAsync(health, HttpStatusCode.ServiceUnavailable));
        Assert.Equal("External trace API is not enabled", await ExternalAssert.FailureAsync(submit, HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task WithHashingOnTheIpAddressIsStoredAsAKeyedHash()
    {
        using var hashing = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["FuncTrace:ExternalTrace:HashIpAddresses"] = "true",
            ["FuncTrace:ExternalTrace:IpHashSalt"] = "deployment-secret",
        });
        var tenant = FuncTraceApp.NewTenant();
        using (var admin = hashing.AdminClient())
        {
            using var registered = await admin.PostAsJsonAsync("/api/admin/users", new { tenant, email = "a@example.com" });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }
        using var client = PythonClient(hashing, await hashing.CreateKeyAsync(tenant, "ingest"));

        using var response = await client.PostAsync("/api/external/trace/submit", Json("""{"email": "a@example.com", "message": "hi", "ipAddress": "198.51.100.4", "metadata": {"chatId": "c"}}"""));
        var id = (await ApiAssert.JsonAsync(response, HttpStatusCode.OK)).GetProperty("traceId").GetString();

        var stored = await client.GetFromJsonAsync<JsonElement>($"/api/events/{id}");
        var data = stored.GetProperty("data");
        Assert.False(data.TryGetProperty("ipAddress", out _));
        Assert.StartsWith("hmac-sha256:", data.GetProperty("ipAddressHash").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100.4", stored.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfiguredOriginGetsCorsHeadersAndAnotherDoesNot()
    {
        using var cors = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Cors:Origins"] = "https://app.example.com, https://admin.example.com" });
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
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        await ExternalAssert.FailureAsync(unauthorized, HttpStatusCode.Unauthorized);
        Assert.Equal("https://app.example.com", unauthorized.Headers.GetValues("Access-Control-Allow-Origin").Single());
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
