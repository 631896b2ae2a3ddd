using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Keys;
using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FuncTrace.Tests.Host;

/// <summary>
/// <see cref="ApiPipeline"/> on its own, as both hosts call it (the worker's middleware only hands it the invocation):
/// request ids, CORS, the external face's switch, keys and roles, and every failure mapped to the face's shape.
/// Keys are checked against the real Azurite.
/// </summary>
public sealed class ApiPipelineTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private const string AllowedOrigin = "https://app.example.com";

    [Fact]
    public async Task ASaneCallerRequestIdIsKeptAndAnInsaneOneIsReplaced()
    {
        var sane = Context(headers: ("X-Request-Id", "client-req-0001"));
        var insane = Context(headers: ("X-Request-Id", "bad id with spaces"));

        await Pipeline().RunAsync(sane, Function(Access.Anonymous), Ok);
        await Pipeline().RunAsync(insane, Function(Access.Anonymous), Ok);

        Assert.Equal("client-req-0001", sane.Response.Headers["X-Request-Id"].ToString());
        Assert.StartsWith("req_", insane.Response.Headers["X-Request-Id"].ToString(), StringComparison.Ordinal);
        Assert.Equal(insane.TraceIdentifier, insane.Response.Headers["X-Request-Id"].ToString());
    }

    [Fact]
    public async Task AnAnonymousFunctionRunsWithoutAKey()
    {
        var context = Context();

        var (status, body) = await RunAsync(context, Function(Access.Anonymous), Ok);

        Assert.Equal(200, status);
        Assert.Equal("\"ran\"", body);
    }

    [Theory]
    [InlineData(null, "X-API-Key")]
    [InlineData("ftk_not-a-real-key", "unknown or has been revoked")]
    public async Task AKeyedFunctionWithoutAValidKeyIs401AndNeverRuns(string? key, string message)
    {
        var ran = false;
        var context = key is null ? Context() : Context(headers: ("X-API-Key", key));

        var (status, body) = await RunAsync(context, Function(Access.AnyRole), () => { ran = true; return Ok(); });

        Assert.False(ran);
        var error = Envelope(context, status, body, 401, "UNAUTHORIZED");
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyWithoutTheFunctionsRoleIs403NamingTheRoleItNeeds()
    {
        var ran = false;
        var context = Context(headers: ("X-API-Key", await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest")));

        var (status, body) = await RunAsync(context, Function(Access.Review), () => { ran = true; return Ok(); });

        Assert.False(ran);
        var error = Envelope(context, status, body, 403, "FORBIDDEN");
        Assert.Contains("'review'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyWithTheRoleRunsTheFunctionAsItsCaller()
    {
        var tenant = FuncTraceApp.NewTenant();
        var context = Context(headers: ("Authorization", "Bearer " + await app.CreateKeyAsync(tenant, "review")));
        Caller? seen = null;

        var (status, _) = await RunAsync(context, Function(Access.Review), () => { seen = context.Request.Caller(); return Ok(); });

        Assert.Equal(200, status);
        Assert.Equal(tenant, seen!.DataTenant);
    }

    public static TheoryData<string, int, string> Failures() => new()
    {
        { nameof(FuncTraceException), 409, "CONFLICT" },
        { "BadHttpRequestException 408", 408, "REQUEST_TIMEOUT" },
        { "BadHttpRequestException 413", 413, "PAYLOAD_TOO_LARGE" },
        { "BadHttpRequestException 400", 400, "VALIDATION_ERROR" },
        { "storage refused the connection", 503, "SERVICE_UNAVAILABLE" },
        { "storage answered 503", 503, "SERVICE_UNAVAILABLE" },
        { "storage throttled", 503, "SERVICE_UNAVAILABLE" },
        { "storage timed out", 503, "SERVICE_UNAVAILABLE" },
        { "every retry failed", 503, "SERVICE_UNAVAILABLE" },
        { "the last retry failed on its socket", 503, "SERVICE_UNAVAILABLE" },
        { "storage answered 404", 500, "INTERNAL_ERROR" },
        { nameof(JsonException), 500, "INTERNAL_ERROR" },
        { nameof(InvalidOperationException), 500, "INTERNAL_ERROR" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task EveryFailureBecomesTheEnvelopeWithItsStatus(string failure, int expectedStatus, string code)
    {
        var context = Context();

        var (status, body) = await RunAsync(context, Function(Access.Anonymous), () => throw Exception(failure));

        var error = Envelope(context, status, body, expectedStatus, code);
        Assert.DoesNotContain("secret-detail", body, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task TheExternalFaceFailsInItsOwnShape()
    {
        var context = Context();

        var (status, body) = await RunAsync(context, Function(Access.Anonymous, external: true), () => throw FuncTraceException.Validation("'traceId' is required.", "traceId"));

        Assert.Equal(400, status);
        Assert.Equal(("success", "error", "'traceId' is required."), External(body));
    }

    [Fact]
    public async Task WhileTheExternalFaceIsSwitchedOffItsFunctionsAnswer503AndNeverRun()
    {
        var ran = false;
        var context = Context();

        var (status, body) = await RunAsync(context, Function(Access.Anonymous, external: true), () => { ran = true; return Ok(); }, externalEnabled: false);

        Assert.False(ran);
        Assert.Equal(503, status);
        Assert.Equal(("success", "error", ApiPipeline.ExternalDisabledMessage), External(body));
    }

    [Fact]
    public async Task ABodilessClientErrorFromAHandlerGetsTheEnvelope()
    {
        var context = Context(path: "/api/widgets/w1");
        Results<Ok<string>, NotFound> notFound = TypedResults.NotFound();

        var (status, body) = await RunAsync(context, Function(Access.Anonymous), () => Task.FromResult<IResult?>(notFound));

        var error = Envelope(context, status, body, 404, "NOT_FOUND");
        Assert.Contains("/api/widgets/w1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheClientHasGoneAwayNothingIsWritten()
    {
        using var gone = new CancellationTokenSource();
        var context = Context();
        context.RequestAborted = gone.Token;

        var result = await Pipeline().RunAsync(context, Function(Access.Anonymous), async () =>
        {
            await gone.CancelAsync();
            throw new OperationCanceledException(gone.Token);
        });

        Assert.Null(result);
    }

    [Fact]
    public async Task AFailureAfterTheResponseStartedWritesNothingMore()
    {
        var context = Context();
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(new StartedResponse());

        var result = await Pipeline().RunAsync(context, Function(Access.Anonymous), () => throw new InvalidOperationException("mid-stream"));

        Assert.Null(result);
    }

    [Fact]
    public async Task APreflightFromAnAllowedOriginIsAnswered204WithTheCorsHeadersWithoutRunningTheFunction()
    {
        var ran = false;
        var context = Context(method: "OPTIONS", headers: [("Origin", AllowedOrigin), ("Access-Control-Request-Method", "POST")]);

        var (status, _) = await RunAsync(context, Function(Access.Ingest), () => { ran = true; return Ok(); });

        Assert.False(ran);
        Assert.Equal(204, status);
        Assert.Equal(AllowedOrigin, context.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Contains("X-API-Key", context.Response.Headers.AccessControlAllowHeaders.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherOriginGetsNoCorsHeaders()
    {
        var context = Context(headers: ("Origin", "https://evil.example.com"));

        await RunAsync(context, Function(Access.Anonymous), Ok);

        Assert.Empty(context.Response.Headers.AccessControlAllowOrigin.ToString());
    }

    private static Exception Exception(string failure) => failure switch
    {
        nameof(FuncTraceException) => new FuncTraceException(ErrorCode.Conflict, "It changed meanwhile.", new Dictionary<string, object?> { ["etag"] = "x" }),
        "BadHttpRequestException 408" => new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly.", 408),
        "BadHttpRequestException 413" => new BadHttpRequestException("Request body too large.", 413),
        "BadHttpRequestException 400" => new BadHttpRequestException("Unexpected end of request content.", 400),
        "storage refused the connection" => new RequestFailedException(0, "Connection refused (127.0.0.1:1) secret-detail"),
        "storage answered 503" => new RequestFailedException(503, "ServerBusy secret-detail"),
        "storage throttled" => new RequestFailedException(429, "Throttled secret-detail"),
        "storage timed out" => new TaskCanceledException("The operation was cancelled.", new TimeoutException("secret-detail")),
        "every retry failed" => new AggregateException(new RequestFailedException(0, "secret-detail"), new RequestFailedException(503, "secret-detail")),
        "the last retry failed on its socket" => new AggregateException(new RequestFailedException(0, "Connection reset by peer secret-detail"),
            new System.Net.Sockets.SocketException(107)),
        "storage answered 404" => new RequestFailedException(404, "TableNotFound secret-detail"),
        nameof(JsonException) => new JsonException("'<' is an invalid start of a value. secret-detail"),
        _ => new InvalidOperationException("A bug. secret-detail"),
    };

    private static Task<IResult?> Ok() => Task.FromResult<IResult?>(TypedResults.Ok("ran"));

    private ApiPipeline Pipeline(bool externalEnabled = true) => new(
        app.Services.GetRequiredService<ApiKeyService>(),
        app.Services.GetRequiredService<StreamTokenService>(),
        new Cors(Options.Create(new CorsOptions { Origins = AllowedOrigin })),
        app.Services.GetRequiredService<RateLimits>(),
        Options.Create(new ExternalTraceSwitch { Enabled = externalEnabled }),
        NullLogger<ApiPipeline>.Instance);

    private async Task<(int Status, string Body)> RunAsync(HttpContext context, HttpFunction function, Func<Task<IResult?>> invoke, bool externalEnabled = true)
    {
        var result = await Pipeline(externalEnabled).RunAsync(context, function, invoke);
        Assert.NotNull(result);
        await result.ExecuteAsync(context);
        return (context.Response.StatusCode, Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    private static HttpFunction Function(Access access, bool external = false) =>
        new("PipelineProbe", typeof(ApiPipelineTests).GetMethod(nameof(Ok), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!,
            "api/probe", ["GET"], access, external);

    private DefaultHttpContext Context(string method = "GET", string path = "/api/probe", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113." + Random.Shared.Next(1, 254));
        context.Response.Body = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }
        return context;
    }

    private static JsonElement Envelope(HttpContext context, int status, string body, int expectedStatus, string code)
    {
        Assert.True(status == expectedStatus, $"Expected {expectedStatus} but got {status}: {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(context.TraceIdentifier, root.GetProperty("request_id").GetString());
        Assert.True(root.TryGetProperty("timestamp", out _));
        var error = root.GetProperty("error").Clone();
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Object, error.GetProperty("details").ValueKind);
        return error;
    }

    /// <summary>The external face's failure: its two property names, in order, and the message (success must be false).</summary>
    private static (string, string, string?) External(string body)
    {
        using var json = JsonDocument.Parse(body);
        var properties = json.RootElement.EnumerateObject().ToList();
        Assert.Equal(2, properties.Count);
        Assert.Equal(JsonValueKind.False, properties[0].Value.ValueKind);
        return (properties[0].Name, properties[1].Name, properties[1].Value.GetString());
    }

    private sealed class StartedResponse : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        public override bool HasStarted => true;
    }
}
