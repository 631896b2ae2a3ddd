using System.Net;
using System.Net.Http.Json;
using System.Text;
using FuncTrace.Functions.Keys;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Review;

/// <summary>
/// Stream tokens: how a browser's EventSource opens a job's events without a key header. The pipeline is driven
/// directly with a stream function of the test's own, since the API's streams are marked in their own features.
/// </summary>
public sealed class StreamTokenTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private const string StreamPath = "/api/batchScore/job-42/events";

    [Fact]
    public async Task AKeyGetsATokenAndTheUrlThatOpensThatOneStream()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsJsonAsync("/api/stream-tokens", new { path = StreamPath });

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        var token = body.GetProperty("token").GetString()!;
        Assert.StartsWith("v1.key_", token, StringComparison.Ordinal);
        Assert.Equal($"{StreamPath}?stream_token={token}", body.GetProperty("url").GetString());
        var expires = body.GetProperty("expires_at").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), StreamTokenService.Lifetime);
    }

    [Theory]
    [InlineData("{\"path\": \"/review\"}")]
    [InlineData("{\"path\": \"/api/batchScore/job-1/events?x=1\"}")]
    [InlineData("{\"path\": \"/api/batchScore/../admin/keys\"}")]
    [InlineData("{}")]
    public async Task APathThatIsNoStreamOfTheApiIsRefused(string body)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

        using var response = await client.PostAsync("/api/stream-tokens", new StringContent(body, Encoding.UTF8, "application/json"));

        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal("path", error.GetProperty("error").GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task TheBootstrapAdminKeyGetsNoToken()
    {
        using var client = app.AdminClient();

        using var response = await client.PostAsJsonAsync("/api/stream-tokens", new { path = StreamPath });

        await ApiAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task ATokenOpensTheStreamItWasIssuedForAsItsKey()
    {
        var (keyId, token) = await IssueAsync("ingest");

        var (status, body) = await RunAsync(Stream(Access.Ingest), StreamPath, token);

        Assert.Equal(200, status);
        Assert.Equal(keyId, body);
    }

    [Fact]
    public async Task ATokenDoesNotOpenAnotherStream()
    {
        var (_, token) = await IssueAsync("ingest");

        var (status, body) = await RunAsync(Stream(Access.Ingest), "/api/batchScore/job-43/events", token);

        Assert.Equal(401, status);
        Assert.Contains("UNAUTHORIZED", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenOpensNothingThatIsNotMarkedForTokens()
    {
        var (_, token) = await IssueAsync("ingest");

        var (status, body) = await RunAsync(Stream(Access.Ingest) with { AcceptsStreamToken = false }, StreamPath, token);

        Assert.Equal(401, status);
        Assert.Contains("An API key is required", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATokenGivesNoMoreThanItsKey()
    {
        var (_, token) = await IssueAsync("review");

        var (status, body) = await RunAsync(Stream(Access.Ingest), StreamPath, token);

        Assert.Equal(403, status);
        Assert.Contains("FORBIDDEN", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangedTokenIsRefused()
    {
        var (_, token) = await IssueAsync("ingest");
        var parts = token.Split('.');
        var later = $"{parts[0]}.{parts[1]}.{long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) + 3600}.{parts[3]}";

        var (status, _) = await RunAsync(Stream(Access.Ingest), StreamPath, later);

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task ATokenStopsWorkingWhenItsKeyIsRevoked()
    {
        var (keyId, token) = await IssueAsync("ingest");
        using var admin = app.AdminClient();
        using var revoked = await admin.DeleteAsync($"/api/admin/keys/{keyId}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        var (status, _) = await RunAsync(Stream(Access.Ingest), StreamPath, token);

        Assert.Equal(401, status);
    }

    [Fact]
    public async Task ATokenPastItsLifetimeIsRefused()
    {
        var (_, token) = await IssueAsync("ingest");
        var later = new StreamTokenService(
            app.Services.GetRequiredService<TableServiceClient>(), app.Names, app.Services.GetRequiredService<ApiKeyService>(),
            new ShiftedTime(StreamTokenService.Lifetime + TimeSpan.FromSeconds(1)));
        var now = app.Services.GetRequiredService<StreamTokenService>();

        Assert.NotNull(await now.AuthenticateAsync(token, StreamPath));
        Assert.Null(await later.AuthenticateAsync(token, StreamPath));
    }

    private async Task<(string KeyId, string Token)> IssueAsync(string role)
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), role));
        using var me = await client.GetAsync("/api/me");
        var keyId = (await ApiAssert.JsonAsync(me, HttpStatusCode.OK)).GetProperty("key_id").GetString()!;
        using var response = await client.PostAsJsonAsync("/api/stream-tokens", new { path = StreamPath });
        return (keyId, (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("token").GetString()!);
    }

    private static HttpFunction Stream(Access access) =>
        new("ProbeStream", typeof(StreamTokenTests).GetMethod(nameof(Stream), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!,
            "api/batchScore/{jobId}/events", ["GET"], access, ExternalFace: false, AcceptsStreamToken: true);

    /// <summary>Runs the shared pipeline around a stream function that answers with its caller's key id.</summary>
    private async Task<(int Status, string Body)> RunAsync(HttpFunction function, string path, string token)
    {
        using var scope = app.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.QueryString = QueryString.Create(StreamTokenService.QueryParameter, token);
        using var body = new MemoryStream();
        context.Response.Body = body;
        var pipeline = scope.ServiceProvider.GetRequiredService<ApiPipeline>();

        var result = await pipeline.RunAsync(context, function, () => Task.FromResult<IResult?>(Results.Text(context.Features.Get<Caller>()!.KeyId)));
        await result!.ExecuteAsync(context);

        return (context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
