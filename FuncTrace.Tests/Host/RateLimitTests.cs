using System.Net;
using System.Text.Json;
using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;
using FuncTrace.Tests.TestFunctions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FuncTrace.Tests.Host;

/// <summary>Limits per API key and per client address, as settings; 429 RATE_LIMITED with Retry-After in the face's shape.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task AKeyOverItsLimitGets429WithRetryAfterInTheEnvelopeWhileAnotherKeyIsStillServed()
    {
        await using var app = await StartAsync(("FuncTrace:RateLimits:PerKeyPerMinute", "3"));
        using var busy = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));
        using var other = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));

        var served = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await busy.GetAsync("/api/admin/keys");
            served.Add(ok.StatusCode);
        }
        using var limited = await busy.GetAsync("/api/admin/keys");
        using var otherKey = await other.GetAsync("/api/admin/keys");

        Assert.All(served, status => Assert.Equal(HttpStatusCode.OK, status));
        var envelope = await ApiAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Equal("20", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal(20, envelope.GetProperty("error").GetProperty("details").GetProperty("retry_after_seconds").GetInt32());
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
    }

    [Fact]
    public async Task AnonymousRequestsOverThePerAddressLimitGet429()
    {
        await using var app = await StartAsync(("FuncTrace:RateLimits:PerIpPerMinute", "2"));
        using var client = app.ClientWithKey(null);

        using var first = await client.GetAsync("/api/health");
        using var second = await client.GetAsync("/api/health");
        using var third = await client.GetAsync("/api/health");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [first.StatusCode, second.StatusCode]);
        await ApiAssert.ErrorAsync(third, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.Equal("30", third.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task UnknownKeysCountAgainstTheAddressSoGuessingKeysIsLimitedToo()
    {
        await using var app = await StartAsync(("FuncTrace:RateLimits:PerIpPerMinute", "2"));
        using var guessing = app.ClientWithKey("ftk_guess");

        using var first = await guessing.GetAsync("/api/admin/keys");
        using var second = await guessing.GetAsync("/api/admin/keys");
        using var third = await guessing.GetAsync("/api/admin/keys");

        await ApiAssert.ErrorAsync(first, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(second, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(third, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
    }

    [Fact]
    public async Task TheExternalFaceAnswers429InItsOwnShapeWithRetryAfter()
    {
        await using var app = FuncTraceApp.WithFunctions(TestCatalog.Catalog, services => services.AddSingleton(new QueueScript()),
            new Dictionary<string, string?> { ["FuncTrace:RateLimits:PerIpPerMinute"] = "1" });
        await app.StartAsync();
        using var client = app.ClientWithKey(null);

        using var first = await client.PostAsync("/api/external/test/echo", TenantClients.Json("""{"text": "one"}"""));
        using var second = await client.PostAsync("/api/external/test/echo", TenantClients.Json("""{"text": "two"}"""));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("60", second.Headers.GetValues("Retry-After").Single());
        using var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal(["success", "error"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.False(body.RootElement.GetProperty("success").GetBoolean());
        Assert.Contains("Too many requests", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroTurnsALimitOff()
    {
        await using var app = await StartAsync(("FuncTrace:RateLimits:PerKeyPerMinute", "0"), ("FuncTrace:RateLimits:PerIpPerMinute", "0"));
        using var anonymous = app.ClientWithKey(null);
        using var keyed = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "admin"));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var health = await anonymous.GetAsync("/api/health");
            using var keys = await keyed.GetAsync("/api/admin/keys");
            statuses.AddRange([health.StatusCode, keys.StatusCode]);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public void TheDefaultsAreAThousandAMinutePerKeyAndAHundredPerAddress()
    {
        var defaults = new RateLimitOptions();

        Assert.Equal((1000, 100), (defaults.PerKeyPerMinute, defaults.PerIpPerMinute));
    }

    [Theory]
    [InlineData("FuncTrace:RateLimits:PerKeyPerMinute", "FuncTrace__RateLimits__PerKeyPerMinute")]
    [InlineData("FuncTrace:RateLimits:PerIpPerMinute", "FuncTrace__RateLimits__PerIpPerMinute")]
    public async Task ANegativeLimitStopsTheStartNamingTheSetting(string setting, string named)
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { [setting] = "-1" });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(app.StartAsync);

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    private static async Task<FuncTraceApp> StartAsync(params (string Name, string Value)[] settings)
    {
        var app = FuncTraceApp.WithSettings(settings.ToDictionary(s => s.Name, s => (string?)s.Value));
        await app.StartAsync();
        return app;
    }
}
