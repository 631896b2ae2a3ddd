using System.Net;
using System.Text;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

public sealed class ErrorEnvelopeTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task MalformedJsonIsAValidationError()
    {
        using var admin = app.AdminClient();

        using var response = await admin.PostAsync("/api/admin/keys", new StringContent("{\"tenant\": ", Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains("not valid JSON", envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2]", "an array")]
    [InlineData("\"text\"", "a string")]
    [InlineData("", "empty")]
    public async Task ABodyThatIsNotAnObjectIsAValidationError(string body, string expected)
    {
        using var admin = app.AdminClient();

        using var response = await admin.PostAsync("/api/admin/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Contains(expected, envelope.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongContentTypeIsUnsupportedMediaType()
    {
        using var admin = app.AdminClient();

        using var response = await admin.PostAsync("/api/admin/keys", new StringContent("tenant=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task AnOversizedBodyIsPayloadTooLarge()
    {
        await using var small = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:MaxRequestBodyBytes"] = "1024" });
        await small.StartAsync();
        using var admin = small.AdminClient();
        var json = "{\"tenant\":\"" + new string('x', 4096) + "\",\"roles\":[\"ingest\"]}";

        using var response = await admin.PostAsync("/api/admin/keys", new StringContent(json, Encoding.UTF8, "application/json"));

        await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task AnUnknownRouteGetsTheEnvelope()
    {
        using var client = app.AdminClient();

        using var response = await client.GetAsync("/api/no-such-route");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task AWrongMethodGetsTheEnvelope()
    {
        using var client = app.AdminClient();

        using var response = await client.PutAsync("/api/admin/keys", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("\"code\":\"NOT_FOUND\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallersSaneRequestIdIsEchoed()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("X-Request-Id", "client-req-12345");

        using var response = await client.SendAsync(request);

        Assert.Equal("client-req-12345", response.Headers.GetValues("X-Request-Id").Single());
    }
}
