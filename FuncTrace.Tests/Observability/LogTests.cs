using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Observability;

public sealed class LogTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task LogsAreListedNewestFirstPagedAndFilteredByLevelAndSession()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var session = await NewSessionAsync(tenant);
        await WriteAsync(tenant, new { level = "info", message = "one" });
        await WriteAsync(tenant, new { level = "ERROR", message = "two", session_id = session, metadata = new { code = 7 } });
        await WriteAsync(tenant, new { level = "info", message = "three", session_id = session });
        await WriteAsync(tenant, new { level = "warning", message = "four" });

        var first = await ListAsync(tenant, "?limit=3");
        var rest = await ListAsync(tenant, "?limit=3&cursor=" + Uri.EscapeDataString(first.GetProperty("next_cursor").GetString()!));
        var errors = await ListAsync(tenant, "?level=error");
        var ofSession = await ListAsync(tenant, $"?session_id={session}&limit=1");
        var ofSessionRest = await ListAsync(tenant, $"?session_id={session}&limit=1&cursor=" + Uri.EscapeDataString(ofSession.GetProperty("next_cursor").GetString()!));
        var infoOfSession = await ListAsync(tenant, $"?session_id={session}&level=info");

        Assert.Equal(["four", "three", "two"], Messages(first));
        Assert.Equal(["one"], Messages(rest));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_cursor").ValueKind);
        Assert.Equal(["two"], Messages(errors));
        var two = errors.GetProperty("logs")[0];
        Assert.Equal("error", two.GetProperty("level").GetString());
        Assert.Equal(session, two.GetProperty("session_id").GetString());
        Assert.Equal(7, two.GetProperty("metadata").GetProperty("code").GetInt32());
        Assert.True(two.GetProperty("timestamp").TryGetDateTimeOffset(out _));
        Assert.Equal(["three"], Messages(ofSession));
        Assert.Equal(["two"], Messages(ofSessionRest));
        Assert.Equal(["three"], Messages(infoOfSession));
        using var other = await TenantClients.CreateAsync(app);
        Assert.Empty(Messages(await ListAsync(other, "")));
    }

    [Fact]
    public async Task ALogReplayedWithItsIdempotencyKeyIsStoredOnce()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var first = await PostAsync(tenant, new { level = "info", message = "once" }, "log-key");
        using var again = await PostAsync(tenant, new { level = "info", message = "once" }, "log-key");
        using var changed = await PostAsync(tenant, new { level = "info", message = "different" }, "log-key");

        var stored = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var replayed = await ApiAssert.JsonAsync(again, HttpStatusCode.OK);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(stored.GetProperty("log_id").GetString(), replayed.GetProperty("log_id").GetString());
        await ApiAssert.ErrorAsync(changed, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(["once"], Messages(await ListAsync(tenant, "")));
    }

    [Theory]
    [InlineData("""{"message": "m"}""", "level")]
    [InlineData("""{"level": "loud", "message": "m"}""", "level")]
    [InlineData("""{"level": "info"}""", "message")]
    [InlineData("""{"level": "info", "message": "m", "metadata": [1]}""", "metadata")]
    [InlineData("""{"level": "info", "message": "m", "session_id": "a/b"}""", "session_id")]
    public async Task ABadLogIsA400NamingTheField(string body, string field)
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var response = await tenant.Ingest.PostAsync("/api/observability/logs", TenantClients.Json(body));

        var error = (await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR")).GetProperty("error");
        Assert.Equal(field, error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task ALogOfAnUnknownSessionIs404AndBadListingsAre400()
    {
        using var tenant = await TenantClients.CreateAsync(app);

        using var unknown = await PostAsync(tenant, new { level = "info", message = "m", session_id = "no-such-session" }, null);
        using var badLevel = await tenant.Review.GetAsync("/api/observability/logs?level=loud");
        using var badCursor = await tenant.Review.GetAsync("/api/observability/logs?cursor=not-a-cursor");
        using var badLimit = await tenant.Review.GetAsync("/api/observability/logs?limit=0");
        using var readOnly = await tenant.Review.PostAsJsonAsync("/api/observability/logs", new { level = "info", message = "m" });

        await ApiAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(badLevel, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(badCursor, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(badLimit, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(readOnly, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Empty(Messages(await ListAsync(tenant, "")));
    }

    internal static async Task<string> NewSessionAsync(TenantClients tenant)
    {
        using var response = await tenant.Ingest.PostAsJsonAsync("/api/sessions", new { name = "observed" });
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("session_id").GetString()!;
    }

    private static async Task WriteAsync(TenantClients tenant, object body)
    {
        using var response = await PostAsync(tenant, body, null);
        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
        // Ids sort by the millisecond; keep the order the test names unambiguous.
        await Task.Delay(5);
    }

    private static async Task<HttpResponseMessage> PostAsync(TenantClients tenant, object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observability/logs") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return await tenant.Ingest.SendAsync(request);
    }

    private static async Task<JsonElement> ListAsync(TenantClients tenant, string query) =>
        await tenant.Review.GetFromJsonAsync<JsonElement>("/api/observability/logs" + query);

    private static IReadOnlyList<string> Messages(JsonElement page) => [.. page.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("message").GetString()!)];
}
