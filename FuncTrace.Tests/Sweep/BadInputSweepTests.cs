using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// Sends bad input of every kind to every route the app maps (read from its endpoint data source) with a key that
/// may call it, and checks each answer keeps the rules: no 5xx, an <c>X-Request-Id</c>, and a 4xx in its face's envelope.
/// </summary>
public sealed class BadInputSweepTests(SweepFixture fixture) : IClassFixture<SweepFixture>
{
    private SweepSeed Seed => fixture.Seed;

    private IEnumerable<SweepRoute> Routes => fixture.Routes;

    [Fact]
    public void TheSweepCoversEveryRouteTheAppMaps()
    {
        var routes = fixture.Routes.Select(r => r.ToString()).ToList();

        Assert.True(routes.Count >= 35, $"Only {routes.Count} routes found: {string.Join(", ", routes)}");
        Assert.Contains("POST /api/events", routes);
        Assert.Contains("GET /api/events/{id}/artifacts/{name}", routes);
        Assert.Contains("GET /api/sessions/{id}/events/stream", routes);
        Assert.Contains("POST /api/external/trace/submit", routes);
        Assert.All(fixture.Routes.Where(r => r.TakesBody), route => SweepInputs.SampleBody(route, Seed));
        Assert.All(fixture.Routes, route => Assert.All(route.Parameters, name => Seed.ValueFor(route, name)));
    }

    [Fact]
    public async Task MalformedAndNonObjectBodiesOnEveryRouteThatTakesABodyAreRefusedWithTheEnvelope()
    {
        var cases = (from route in Routes.Where(r => r.TakesBody)
                     from body in SweepInputs.MalformedBodies()
                     select new SweepCase(body.Label, route, route.Method, Seed.PathOf(route), Seed.KeyA, body.Content)
                     {
                         Expect = body.Refused && ReadsJson(route) ? ExpectClientError : null,
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task WrongTypesAndHostileValuesInEveryKnownFieldAreRefusedWithTheEnvelope()
    {
        var cases = (from route in Routes.Where(r => r.TakesBody)
                     let sample = SweepInputs.SampleBody(route, Seed)
                     where sample is not null
                     from body in SweepInputs.WrongTypeBodies(sample)
                     select new SweepCase(body.Label, route, route.Method, Seed.PathOf(route), Seed.KeyA, () => SweepRunner.Json(body.Json))).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task BadValuesInEveryPathSegmentAreRefusedWithTheEnvelope()
    {
        var cases = (from route in Routes
                     from parameter in route.Parameters
                     from value in SweepInputs.PathValues()
                     let url = route.Path(name => name == parameter ? value.Escaped : Uri.EscapeDataString(Seed.ValueFor(route, name)))
                     select new SweepCase($"{{{parameter}}} = {value.Label}", route, route.Method, url, Seed.KeyA, ValidBody(route))).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task BadValuesInEveryQueryParameterAreRefusedWithTheEnvelope()
    {
        var cases = new List<SweepCase>();
        foreach (var route in Routes)
        {
            var parameters = SweepInputs.QueryParameters(route);
            foreach (var parameter in parameters)
            {
                foreach (var (label, escaped) in SweepInputs.QueryValues(parameter))
                {
                    var path = Seed.PathOf(route) + $"?{parameter}={escaped}";
                    cases.Add(new SweepCase($"{parameter} = {label}", route, route.Method, path, Seed.KeyA, ValidBody(route)));
                    if (parameters.Contains("order") && parameter is "from" or "to")
                    {
                        cases.Add(new SweepCase($"{parameter} = {label}, descending", route, route.Method, path + "&order=desc", Seed.KeyA, ValidBody(route)));
                    }
                }
            }
        }

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task BadLastEventIdsOnEveryEventStreamAreRefusedOrResumeCleanly()
    {
        var streams = Routes.Where(r => r.IsEventStream).ToList();
        var cases = (from route in streams
                     from lastEventId in SweepInputs.LastEventIds()
                     from viaQuery in new[] { false, true }
                     let path = Seed.PathOf(route) + (viaQuery ? "?lastEventId=" + Uri.EscapeDataString(lastEventId) : string.Empty)
                     select new SweepCase($"Last-Event-ID {SweepInputs.Describe(lastEventId)}{(viaQuery ? " in the query" : string.Empty)}", route, route.Method, path, Seed.KeyA, null,
                         viaQuery ? null : [("Last-Event-ID", lastEventId)])).ToList();

        Assert.Equal(2, streams.Count);
        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task BadRangeHeadersOnTheArtifactDownloadAreServedWholeOrRefused()
    {
        var download = Routes.Single(r => r.ToString() == "GET /api/events/{id}/artifacts/{name}");
        var cases = SweepInputs.RangeHeaders()
            .Select(range => new SweepCase($"Range {SweepInputs.Describe(range)}", download, "GET", Seed.PathOf(download), Seed.KeyA, null, [("Range", range)]))
            .ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task EveryProtectedRouteAnswers401WithoutAKeyOrWithAnUnknownOne()
    {
        var protectedRoutes = Routes.Where(r => !r.IsAnonymous).ToList();
        string?[] keys = [null, "ftk_unknown", "", Long(2000), "key with spaces", "é"];
        var cases = (from route in protectedRoutes
                     from key in keys
                     select new SweepCase($"key {SweepInputs.Describe(key ?? "(none)")}", route, route.Method, Seed.PathOf(route), key, ValidBody(route))
                     {
                         Expect = ExpectStatus(HttpStatusCode.Unauthorized),
                     }).ToList();

        Assert.True(protectedRoutes.Count >= 30, $"Only {protectedRoutes.Count} protected routes.");
        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task EveryRoleRestrictedRouteAnswers403ToAKeyWithoutTheRole()
    {
        var cases = (from route in Routes
                     let key = route.Policy switch
                     {
                         "ingest" => Seed.ReviewOnlyKey,
                         "review" => Seed.IngestOnlyKey,
                         "admin" => Seed.IngestReviewKey,
                         _ => null,
                     }
                     where key is not null
                     select new SweepCase($"a key without '{route.Policy}'", route, route.Method, Seed.PathOf(route), key, ValidBody(route))
                     {
                         Expect = ExpectStatus(HttpStatusCode.Forbidden),
                     }).ToList();

        Assert.True(cases.Count >= 20, $"Only {cases.Count} role-restricted routes.");
        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task TenantBCanNeitherSeeNorChangeAnythingTenantAOwns()
    {
        var before = await SnapshotOfTenantAAsync();
        var byRoute = (from route in Routes
                       where !route.IsAnonymous && route.Parameters.Count > 0
                       select new SweepCase("tenant A's ids, tenant B's key", route, route.Method, Seed.PathOf(route), Seed.KeyB, ValidBody(route))
                       {
                           Expect = ExpectStatus(HttpStatusCode.NotFound),
                       }).ToList();

        Assert.True(byRoute.Count >= 15, $"Only {byRoute.Count} routes take an id.");
        await SweepRunner.AssertCleanAsync(fixture.Client, [.. byRoute, .. IdsInQueriesAndBodies()]);
        await SweepRunner.AssertCleanAsync(fixture.Client, TenantBWritesUnderTenantAsIds());
        Assert.Equal(before, await SnapshotOfTenantAAsync());
    }

    /// <summary>Tenant A's ids in query strings and bodies, sent with tenant B's key: nothing of A's comes back.</summary>
    private List<SweepCase> IdsInQueriesAndBodies()
    {
        var a = Seed.TenantA;
        var email = SweepFixture.Email;
        return
        [
            AsB("GET", $"/api/events?conversation_id={SweepSeed.ConversationId}", Empty("events")),
            AsB("GET", $"/api/events?conversation_id={SweepSeed.ChatId}", Empty("events")),
            AsB("GET", "/api/events?event_type=assistant_response", Empty("events")),
            AsB("GET", "/api/events", Empty("events")),
            AsB("GET", $"/api/feedback?event_id={SweepSeed.EventId}", ExpectStatus(HttpStatusCode.NotFound)),
            AsB("GET", $"/api/feedback/pending?conversation_id={SweepSeed.ConversationId}", Empty("events")),
            AsB("GET", "/api/feedback/pending", Empty("events")),
            AsB("POST", "/api/feedback/pending/claim", ExpectStatus(HttpStatusCode.NoContent)),
            AsB("GET", $"/api/conversations?user={email}", Empty("conversations")),
            AsB("GET", "/api/conversations?include_archived=true", Empty("conversations")),
            AsB("GET", $"/api/usage?user={email}&from=2026-01-01&to=2026-01-31", Empty("usage")),
            AsB("GET", "/api/usage?from=2026-01-01&to=2026-01-31", Empty("usage")),
            AsB("GET", "/api/admin/users", Empty("users")),
            AsB("GET", $"/api/admin/users?tenant={a}", ExpectStatus(HttpStatusCode.Forbidden)),
            AsB("GET", $"/api/admin/keys?tenant={a}", ExpectStatus(HttpStatusCode.Forbidden)),
            AsB("DELETE", $"/api/admin/users/{email}?tenant={a}", ExpectStatus(HttpStatusCode.Forbidden)),
            AsB("POST", "/api/admin/keys", ExpectStatus(HttpStatusCode.Forbidden), $$"""{"tenant": "{{a}}", "roles": ["admin"]}"""),
            AsB("POST", "/api/admin/users", ExpectStatus(HttpStatusCode.Forbidden), $$"""{"tenant": "{{a}}", "email": "mallory@example.com"}"""),
            AsB("POST", "/api/feedback", ExpectStatus(HttpStatusCode.NotFound), $$"""{"event_id": "{{SweepSeed.EventId}}", "status": "approved"}"""),
            AsB("POST", "/api/external/trace/feedback", ExpectStatus(HttpStatusCode.NotFound), $$"""{"traceId": "{{Seed.TraceId}}", "value": 1}"""),
            AsB("POST", "/api/external/trace/feedback", ExpectStatus(HttpStatusCode.NotFound), $$"""{"messageId": "{{SweepSeed.EventId}}", "comment": "x"}"""),
            AsB("POST", "/api/external/trace/submit", NotRegistered, $$"""{"email": "{{email}}", "message": "m", "metadata": {"chatId": "{{SweepSeed.ChatId}}"} }"""),
            AsB("GET", "/api/status", (response, body) => body.Contains("\"events_ingested\":0", StringComparison.Ordinal) ? null : $"tenant B's status counts someone's events: {body}"),
        ];
    }

    /// <summary>Tenant B reusing tenant A's event ids stores its own events: no replay of A's, no conflict that would reveal them.</summary>
    private List<SweepCase> TenantBWritesUnderTenantAsIds() =>
    [
        AsB("POST", "/api/events", CreatedWithoutAsData, $$"""{"id": "{{SweepSeed.EventId}}", "conversation_id": "{{SweepSeed.ConversationId}}", "event_type": "assistant_response", "data": {"text": "B"} }"""),
        AsB("POST", "/api/events/batch", (response, body) => body.Contains("\"created\":1", StringComparison.Ordinal) ? null : $"expected B's event created: {body}",
            $$"""{"events": [{"id": "{{Seed.TraceId}}", "conversation_id": "{{SweepSeed.ChatId}}", "event_type": "user_message", "data": {"text": "B"} }]}"""),
    ];

    private SweepCase AsB(string method, string url, Func<HttpResponseMessage, string, string?> expect, string? json = null)
    {
        var path = url.Split('?')[0];
        var route = Routes.Single(r => r.Method == method && Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(r.Pattern), @"\\\{[^}]+}", "[^/]+") + "$"));
        return new SweepCase("tenant A's ids, tenant B's key", route, method, url, Seed.KeyB, json is null ? null : () => SweepRunner.Json(json)) { Expect = expect };
    }

    private static Func<HttpResponseMessage, string, string?> Empty(string list) => (response, body) =>
        response.StatusCode == HttpStatusCode.OK && body.Contains($"\"{list}\":[]", StringComparison.Ordinal)
            ? null
            : $"expected 200 with an empty '{list}', got {(int)response.StatusCode}: {SweepCase.Shorten(body)}";

    private static string? NotRegistered(HttpResponseMessage response, string body) =>
        response.StatusCode == HttpStatusCode.OK && body.Contains("not registered", StringComparison.Ordinal) ? null : $"expected 'not registered', got {(int)response.StatusCode}: {body}";

    private static string? CreatedWithoutAsData(HttpResponseMessage response, string body) =>
        response.StatusCode == HttpStatusCode.Created && !body.Contains("secret", StringComparison.Ordinal)
            ? null
            : $"expected tenant B's own event created, got {(int)response.StatusCode}: {SweepCase.Shorten(body)}";

    /// <summary>Everything tenant A can read that B's requests could have touched, as A reads it (volatile timestamps left out).</summary>
    private async Task<List<string>> SnapshotOfTenantAAsync()
    {
        string[] urls =
        [
            $"/api/events/{SweepSeed.EventId}", $"/api/events/{SweepSeed.EventId}/artifacts", $"/api/events/{SweepSeed.EventId}/artifacts/{SweepFixture.ArtifactName}",
            $"/api/feedback?event_id={SweepSeed.EventId}", $"/api/conversations/{SweepSeed.ConversationId}", $"/api/sessions/{Seed.SessionId}",
            $"/api/sessions/{Seed.SessionId}/events", $"/api/batchScore/{Seed.JobId}", $"/api/events?conversation_id={SweepSeed.ChatId}",
            "/api/admin/users", "/api/admin/keys", "/api/usage?from=2026-01-01&to=2026-01-31", "/api/status",
        ];
        var snapshot = new List<string>();
        foreach (var url in urls)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("X-API-Key", Seed.KeyA);
            using var response = await fixture.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Tenant A cannot read {url}: {(int)response.StatusCode} {body}");
            var json = response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(body) as JsonObject : null;
            json?.Remove("timestamp");
            snapshot.Add($"{url} {json?.ToJsonString() ?? body}");
        }
        return snapshot;
    }

    private static string Long(int length) => SweepInputs.Long(length);

    /// <summary>Whether the route reads its body as JSON (and so must refuse a bad one).</summary>
    private bool ReadsJson(SweepRoute route) => SweepInputs.SampleBody(route, Seed) is not null;

    /// <summary>The route's valid body (a small text file for the artifact upload); null when it takes none.</summary>
    private Func<HttpContent?>? ValidBody(SweepRoute route)
    {
        if (!route.TakesBody)
        {
            return null;
        }
        var sample = SweepInputs.SampleBody(route, Seed);
        return sample is null
            ? () => new StringContent("x", Encoding.UTF8, "text/plain")
            : () => SweepRunner.Json(sample);
    }

    private static string? ExpectClientError(HttpResponseMessage response, string body) =>
        (int)response.StatusCode is >= 400 and < 500 ? null : $"expected a 4xx, got {(int)response.StatusCode}";

    public static Func<HttpResponseMessage, string, string?> ExpectStatus(HttpStatusCode status) => (response, body) =>
        response.StatusCode == status ? null : $"expected {(int)status}, got {(int)response.StatusCode}: {SweepCase.Shorten(body)}";
}
