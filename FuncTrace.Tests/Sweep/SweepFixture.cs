using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FuncTrace.FakeOpenAi;
using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// One app for a sweep class and two tenants: A, seeded through the app's own creating routes (every POST or PUT whose
/// typed answer is 201 is called with its sample body, and the ids its <c>Location</c> names become A's path values),
/// and B, which owns nothing. Generic over the catalog: a feature that creates what its routes name is seeded without
/// a change here.
/// </summary>
public class SweepFixture : IAsyncLifetime
{
    private FakeOpenAiServer? _llm;
    private FuncTraceApp? _app;
    private HttpClient? _client;
    private SweepSeed? _seed;

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>A client without a key (every sweep request names its own) that may send non-ASCII header values.</summary>
    public HttpClient Client => _client ?? throw new InvalidOperationException("Not started.");

    public SweepSeed Seed => _seed ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<SweepRoute> Routes { get; } = SweepRoute.All(FunctionCatalog.Instance);

    /// <summary>Settings of this sweep's app: the fake LLM, so the routes that call a model answer as they would in use.</summary>
    protected virtual IDictionary<string, string?> Settings(FakeOpenAiServer llm) => llm.AppSettings(
        // The sweep sends thousands of requests from one address and a few keys.
        ("FuncTrace:RateLimits:PerKeyPerMinute", "0"),
        ("FuncTrace:RateLimits:PerIpPerMinute", "0"),
        ("FuncTrace:Llm:MaxRetries", "0"));

    public async Task InitializeAsync()
    {
        _llm = await FakeOpenAiServer.StartAsync();
        _app = FuncTraceApp.WithSettings(Settings(_llm));
        await _app.StartAsync();
        _client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
        {
            BaseAddress = _app.BaseAddress,
            Timeout = TimeSpan.FromSeconds(100),
        };
        _seed = await SeedAsync();
        await SettledAsync();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_llm is not null)
        {
            await _llm.DisposeAsync();
        }
    }

    /// <summary>What tenant A reads on every keyed GET whose path it can fill, volatile values left out.</summary>
    public async Task<List<string>> SnapshotOfTenantAAsync()
    {
        var snapshot = new List<string>();
        foreach (var route in Routes.Where(r => r.Method == "GET" && !r.IsAnonymous && !r.IsEventStream && r.Parameters.All(p => Seed.Knows(r, p))))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Seed.PathOf(route));
            request.Headers.Add("X-API-Key", Seed.KeyA);
            using var response = await Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            // A route that needs a query parameter answers 400 to this bare GET, the same before and after.
            var json = response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(body) as JsonObject : null;
            json?.Remove("timestamp");
            snapshot.Add($"{route} {(int)response.StatusCode} {json?.ToJsonString() ?? string.Empty}");
        }
        Assert.Contains(snapshot, line => line.Contains(" 200 ", StringComparison.Ordinal));
        return snapshot;
    }

    /// <summary>
    /// Waits until the seed's derived views (timeline, conversations, usage) have caught up, so a sweep that compares
    /// snapshots sees only what its own requests changed.
    /// </summary>
    private async Task SettledAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = await SnapshotOfTenantAAsync();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var now = await SnapshotOfTenantAAsync();
            if (now.SequenceEqual(last))
            {
                return;
            }
            last = now;
        }
        throw new TimeoutException("The seeded tenant's views were still changing after 30 s.");
    }

    private async Task<SweepSeed> SeedAsync()
    {
        var tenantA = FuncTraceApp.NewTenant();
        var tenantB = FuncTraceApp.NewTenant();
        var seed = new SweepSeed(
            tenantA,
            tenantB,
            await App.CreateKeyAsync(tenantA, "ingest", "review", "admin"),
            await App.CreateKeyAsync(tenantB, "ingest", "review", "admin"),
            await App.CreateKeyAsync(tenantA, "ingest"),
            await App.CreateKeyAsync(tenantA, "review"),
            await App.CreateKeyAsync(tenantA, "ingest", "review"));
        // Twice: a route under an id created in the first pass can create in the second.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var route in Routes.Where(r => r.ReadsJson && Creates(r) && r.Parameters.All(p => seed.Knows(r, p))))
            {
                await CreateAsync(route, seed);
            }
        }
        return seed;
    }

    private static bool Creates(SweepRoute route) => Functions.OpenApi.OperationResponses.Of(route.Function).Any(r => r.Status == 201);

    private async Task CreateAsync(SweepRoute route, SweepSeed seed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), seed.PathOf(route)) { Content = SweepRunner.Json(SampleBodies.For(route)!) };
        request.Headers.Add("X-API-Key", seed.KeyA);
        using var response = await Client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            // A body made from the type may well be refused; an example that is refused is the route's own mistake,
            // unless it names a record by an id the seed cannot know (feedback's event_id): 404.
            if (route.Body!.Example is not null && response.StatusCode != HttpStatusCode.NotFound)
            {
                seed.Failures.Add($"{route} refused its own [RequestBody] example: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            return;
        }
        if (response.Headers.Location is { } location)
        {
            var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0];
            seed.Learn(Routes, path);
        }
    }
}

/// <summary>The same sweep app with a 1 KiB body limit, for the oversized-body sweep.</summary>
public sealed class SmallBodySweepFixture : SweepFixture
{
    public const int Limit = 1024;

    protected override IDictionary<string, string?> Settings(FakeOpenAiServer llm)
    {
        var settings = base.Settings(llm);
        settings["FuncTrace:MaxRequestBodyBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }
}
