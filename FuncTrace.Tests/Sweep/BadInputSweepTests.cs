using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// Sends bad input of every kind to every route of the function catalog with a key that may call it, and checks each
/// answer keeps the rules: no 5xx, an <c>X-Request-Id</c>, and a 4xx in its face's envelope. Routes added later are swept
/// as they are; a route that reads JSON is swept from its <c>[RequestBody]</c> example (or a body made from its type).
/// </summary>
public sealed class BadInputSweepTests(SweepFixture fixture) : IClassFixture<SweepFixture>
{
    private SweepSeed Seed => fixture.Seed;

    private IReadOnlyList<SweepRoute> Routes => fixture.Routes;

    [Fact]
    public void TheSweepCoversEveryMethodOfEveryHttpFunctionInTheCatalog()
    {
        var routes = Routes.Select(r => r.ToString()).ToList();

        Assert.Equal(Functions.Shared.FunctionCatalog.Instance.Http.Sum(f => f.Methods.Count), routes.Count);
        Assert.Contains("POST /api/admin/keys", routes);
        Assert.Contains("DELETE /api/admin/keys/{id}", routes);
        Assert.All(Routes.Where(r => r.ReadsJson), route => Assert.NotNull(JsonNode.Parse(SampleBodies.For(route)!)));
        Assert.True(Seed.Knows(Routes.Single(r => r.ToString() == "DELETE /api/admin/keys/{id}"), "id"), "Seeding did not learn tenant A's key id from POST api/admin/keys.");
        Assert.Empty(Seed.Failures);
    }

    [Fact]
    public async Task MalformedAndNonObjectBodiesOnEveryRouteThatTakesABodyAreRefusedWithTheEnvelope()
    {
        var cases = (from route in Routes.Where(r => r.TakesBody)
                     from body in SweepInputs.MalformedBodies()
                     select new SweepCase(body.Label, route, route.Method, Seed.PathOf(route), Seed.KeyA, body.Content)
                     {
                         Expect = body.Refused && route.ReadsJson ? ExpectClientError : null,
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task WrongTypesAndHostileValuesInEveryFieldAreRefusedOrServedWithoutA5xx()
    {
        var cases = (from route in Routes.Where(r => r.ReadsJson)
                     from body in SweepInputs.WrongTypeBodies(SampleBodies.Full(route)!)
                     from key in Callers(route)
                     select new SweepCase(body.Label, route, route.Method, Seed.PathOf(route), key, () => SweepRunner.Json(body.Json))).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task BadValuesInEveryPathSegmentAreRefusedWithTheEnvelope()
    {
        var cases = (from route in Routes
                     from parameter in route.Parameters
                     from value in SweepInputs.PathValues()
                     let url = route.Path(name => name == parameter ? value.Escaped : Uri.EscapeDataString(Seed.ValueFor(route, name)))
                     from key in Callers(route)
                     select new SweepCase($"{{{parameter}}} = {value.Label}", route, route.Method, url, key, ValidBody(route))).ToList();

        Assert.NotEmpty(cases);
        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task BadValuesInEveryQueryParameterAreRefusedOrIgnoredWithoutA5xx()
    {
        var cases = (from route in Routes
                     from parameter in SweepInputs.QueryParameters
                     from value in SweepInputs.QueryValues(parameter)
                     from key in Callers(route)
                     select new SweepCase($"{parameter} = {value.Label}", route, route.Method, Seed.PathOf(route) + $"?{parameter}={value.Escaped}", key, ValidBody(route))).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task AMethodNoFunctionTakesOnARoutesPathIs405WithTheEnvelope()
    {
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        var cases = (from path in Routes.GroupBy(r => r.Pattern)
                     from method in methods.Except(path.Select(r => r.Method))
                     // api/events/batch is also a path of api/events/{id}, which may serve the method.
                     where !Routes.Any(other => other.Method == method && other.Match(Seed.PathOf(path.First())) is not null)
                     select new SweepCase($"{method} is not served", path.First(), method, Seed.PathOf(path.First()), Seed.KeyA,
                         method is "GET" or "DELETE" ? null : () => SweepRunner.Json("{}"))
                     {
                         Expect = ExpectStatus(HttpStatusCode.MethodNotAllowed),
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task EveryProtectedRouteAnswers401WithoutAKeyOrWithAnUnknownOne()
    {
        var cases = (from route in Routes.Where(r => !r.IsAnonymous)
                     from key in SweepInputs.BadKeys
                     select new SweepCase($"key {SweepInputs.Describe(key ?? "(none)")}", route, route.Method, Seed.PathOf(route), key, ValidBody(route))
                     {
                         Expect = ExpectStatus(HttpStatusCode.Unauthorized),
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task EveryRoleRestrictedRouteAnswers403ToAKeyWithoutTheRole()
    {
        var cases = (from route in Routes
                     from key in KeysWithout(route.Function.Access)
                     select new SweepCase($"a key without '{route.Function.Access}'", route, route.Method, Seed.PathOf(route), key, ValidBody(route))
                     {
                         Expect = ExpectStatus(HttpStatusCode.Forbidden),
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    [Fact]
    public async Task TenantBCanNeitherSeeNorChangeAnythingTenantAOwns()
    {
        var before = await fixture.SnapshotOfTenantAAsync();
        var withAsIds = (from route in Routes.Where(r => !r.IsAnonymous && r.Parameters.Count > 0)
                         let ownedByA = route.Parameters.All(p => Seed.Knows(route, p))
                         select new SweepCase("tenant A's ids, tenant B's key", route, route.Method, Seed.PathOf(route), Seed.KeyB, ValidBody(route))
                         {
                             // Where A owns what the path names, B must be told it does not exist (or may not ask).
                             Expect = ownedByA ? (response, body) => (int)response.StatusCode is 403 or 404 ? null : $"expected 403 or 404, got {(int)response.StatusCode}: {SweepCase.Shorten(body)}" : null,
                         }).ToList();
        var namingA = (from route in Routes.Where(r => !r.IsAnonymous)
                       select new SweepCase("?tenant=A with tenant B's key", route, route.Method, Seed.PathOf(route) + "?tenant=" + Seed.TenantA, Seed.KeyB, ValidBody(route, Seed.TenantA))).ToList();

        var answers = await SweepRunner.RunAsync(fixture.Client, [.. withAsIds, .. namingA], (item, response, body) =>
            Seed.SecretsOfA.Where(secret => body.Contains(secret, StringComparison.Ordinal) && !item.Url.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal))
                .Select(secret => $"tenant B was shown '{secret}' of tenant A's: {SweepCase.Shorten(body)}"));

        Assert.True(answers.Count == 0, string.Join("\n", answers));
        Assert.Equal(before, await fixture.SnapshotOfTenantAAsync());
    }

    /// <summary>Who calls a route in the sweeps: tenant A's key, and for admin routes also the bootstrap key, which names tenants itself.</summary>
    private IEnumerable<string> Callers(SweepRoute route) =>
        route.Function.Access == Functions.Shared.Access.Admin ? [Seed.KeyA, Infrastructure.FuncTraceApp.AdminKey] : [Seed.KeyA];

    private IEnumerable<string> KeysWithout(Functions.Shared.Access access) => access switch
    {
        Functions.Shared.Access.Ingest => [Seed.ReviewOnlyKey],
        Functions.Shared.Access.Review => [Seed.IngestOnlyKey],
        Functions.Shared.Access.Admin => [Seed.IngestOnlyKey, Seed.ReviewOnlyKey, Seed.IngestReviewKey],
        _ => [],
    };

    /// <summary>The route's valid body (its sample, with <paramref name="tenant"/> where it names one); null when it takes none.</summary>
    private static Func<HttpContent?>? ValidBody(SweepRoute route, string? tenant = null)
    {
        if (!route.TakesBody)
        {
            return null;
        }
        var sample = SampleBodies.For(route);
        if (sample is null)
        {
            return () => new StringContent("x", Encoding.UTF8, "text/plain");
        }
        if (tenant is not null && JsonNode.Parse(sample) is JsonObject named)
        {
            named["tenant"] = tenant;
            sample = named.ToJsonString();
        }
        return () => SweepRunner.Json(sample);
    }

    private static string? ExpectClientError(HttpResponseMessage response, string body) =>
        (int)response.StatusCode is >= 400 and < 500 ? null : $"expected a 4xx, got {(int)response.StatusCode}";

    public static Func<HttpResponseMessage, string, string?> ExpectStatus(HttpStatusCode status) => (response, body) =>
        response.StatusCode == status ? null : $"expected {(int)status}, got {(int)response.StatusCode}: {SweepCase.Shorten(body)}";
}
