using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.Tests.BatchScoring;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// One app for a sweep class, its LLM pointed at a <see cref="FakeOpenAiServer"/> that judges like the batch-scoring
/// tests, and two tenants: A, seeded with one of everything an id can name, and B, which owns nothing.
/// </summary>
public class SweepFixture : IAsyncLifetime
{
    public const string Email = "alice@example.com";
    public const string ArtifactName = "notes.txt";
    public const string ArtifactContent = "0123456789";

    private FakeOpenAiServer? _server;
    private FuncTraceApp? _app;
    private HttpClient? _client;
    private SweepSeed? _seed;

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>A client without a key: every sweep request names its own.</summary>
    public HttpClient Client => _client ?? throw new InvalidOperationException("Not started.");

    public SweepSeed Seed => _seed ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<SweepRoute> Routes { get; private set; } = [];

    /// <summary>Settings on top of the fake LLM's, the quick queue and a fast session tail.</summary>
    protected virtual IEnumerable<(string Name, string? Value)> ExtraSettings() => [];

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = BatchScoreAppFixture.Judge;
        var settings = _server.AppSettings(
            ("FuncTrace:Sessions:PollMilliseconds", "50"),
            ("FuncTrace:Sessions:HeartbeatSeconds", "0.2"),
            ("FuncTrace:BatchScore:WaitSeconds", "20"));
        foreach (var (name, value) in BatchScoreAppFixture.QuickQueueSettings().Concat(ExtraSettings().ToDictionary()))
        {
            settings[name] = value;
        }
        _app = FuncTraceApp.WithSettings(settings);
        _client = _app.CreateClient();
        Routes = SweepRoute.All(_app);
        _seed = await SeedAsync(_app);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static async Task<SweepSeed> SeedAsync(FuncTraceApp app)
    {
        var tenantA = FuncTraceApp.NewTenant();
        var tenantB = FuncTraceApp.NewTenant();
        var keyA = await app.CreateKeyAsync(tenantA, "ingest", "review", "admin");
        var keyB = await app.CreateKeyAsync(tenantB, "ingest", "review", "admin");
        var ingestOnly = await app.CreateKeyAsync(tenantA, "ingest");
        var reviewOnly = await app.CreateKeyAsync(tenantA, "review");
        var ingestReview = await app.CreateKeyAsync(tenantA, "ingest", "review");
        string spareKeyId;
        using (var admin = app.AdminClient())
        using (var spare = await admin.PostAsJsonAsync("/api/admin/keys", new { tenant = tenantA, roles = new[] { "ingest" }, name = "spare" }))
        {
            spareKeyId = (await ApiAssert.JsonAsync(spare, HttpStatusCode.Created)).GetProperty("id").GetString()!;
        }

        using var a = app.ClientWithKey(keyA);
        await PostAsync(a, "/api/admin/users", new { email = Email }, HttpStatusCode.Created);
        await PostAsync(a, "/api/events", new
        {
            id = "evt-a",
            conversation_id = "conv-a",
            event_type = "assistant_response",
            timestamp = "2026-01-02T03:04:05Z",
            data = new { text = "tenant A's secret" },
            role = "assistant",
            model = "gpt-4o",
            usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
            user = Email,
        }, HttpStatusCode.Created);
        await PostAsync(a, "/api/events", new { id = "evt-sweep", conversation_id = "conv-sweep", event_type = "assistant_response", data = new { } }, HttpStatusCode.Created);
        using (var artifact = await a.PutAsync($"/api/events/evt-a/artifacts/{ArtifactName}", new StringContent(ArtifactContent, Encoding.UTF8, "text/plain")))
        {
            await ApiAssert.JsonAsync(artifact, HttpStatusCode.Created);
        }
        await PostAsync(a, "/api/feedback", new { event_id = "evt-a", feedback_message = "looks fine", status = "pending" }, HttpStatusCode.Created);
        var session = await PostAsync(a, "/api/sessions", new { name = "A's session" }, HttpStatusCode.Created);
        var sessionId = session.GetProperty("session_id").GetString()!;
        var sessionEvent = await PostAsync(a, $"/api/sessions/{sessionId}/events", new { event_type = "tool_call", data = new { tool = "search" } }, HttpStatusCode.Created);
        string jobId;
        using (var job = await a.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "10 = right", tests = new[] { new { id = 1, text = "want 7" } } }))
        {
            await ApiAssert.JsonAsync(job, HttpStatusCode.OK);
            jobId = job.Headers.GetValues("X-Job-Id").Single();
        }
        var trace = await PostAsync(a, "/api/external/trace/submit", new { email = Email, message = "hello", metadata = new { chatId = "chat-a" } }, HttpStatusCode.OK);

        return new SweepSeed(
            tenantA,
            tenantB,
            keyA,
            keyB,
            ingestOnly,
            reviewOnly,
            ingestReview,
            spareKeyId,
            sessionId,
            sessionEvent.GetProperty("event_id").GetString()!,
            jobId,
            trace.GetProperty("traceId").GetString()!);
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, HttpStatusCode expected)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        return await ApiAssert.JsonAsync(response, expected);
    }
}

/// <summary>The same sweep app with a 1 KiB body limit (and artifact limit), for the oversized-body sweep.</summary>
public sealed class SmallBodySweepFixture : SweepFixture
{
    public const int Limit = 1024;

    protected override IEnumerable<(string Name, string? Value)> ExtraSettings() =>
    [
        ("FuncTrace:MaxRequestBodyBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("FuncTrace:Events:MaxArtifactBytes", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>What tenant A owns (and the keys of both tenants); B owns nothing.</summary>
public sealed record SweepSeed(
    string TenantA,
    string TenantB,
    string KeyA,
    string KeyB,
    string IngestOnlyKey,
    string ReviewOnlyKey,
    string IngestReviewKey,
    string SpareKeyId,
    string SessionId,
    string SessionEventId,
    string JobId,
    string TraceId)
{
    public const string EventId = "evt-a";
    public const string ConversationId = "conv-a";
    public const string ChatId = "chat-a";

    /// <summary>Tenant A's value for a route parameter; a new route must say what its parameters name.</summary>
    public string ValueFor(SweepRoute route, string parameter)
    {
        ArgumentNullException.ThrowIfNull(route);
        return (route.Pattern, parameter) switch
        {
            (var p, "id") when p.StartsWith("/api/events/", StringComparison.Ordinal) => EventId,
            (_, "name") => SweepFixture.ArtifactName,
            (var p, "id") when p.StartsWith("/api/conversations/", StringComparison.Ordinal) => ConversationId,
            (var p, "id") when p.StartsWith("/api/sessions/", StringComparison.Ordinal) => SessionId,
            (_, "eventId") => SessionEventId,
            (_, "jobId") => JobId,
            (var p, "id") when p.StartsWith("/api/admin/keys/", StringComparison.Ordinal) => SpareKeyId,
            (_, "email") => SweepFixture.Email,
            (_, "documentName") => "v1",
            _ => throw new InvalidOperationException($"The sweep has no value for '{{{parameter}}}' of {route}: add one to SweepSeed.ValueFor."),
        };
    }

    /// <summary>The path of <paramref name="route"/> with tenant A's values.</summary>
    public string PathOf(SweepRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Path(name => Uri.EscapeDataString(ValueFor(route, name)));
    }
}
