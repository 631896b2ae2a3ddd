using System.Net;

namespace FuncTrace.Tests.Sweep;

/// <summary>Every route that takes a body, in an app whose body (and artifact) limit is 1 KiB.</summary>
public sealed class OversizedBodySweepTests(SmallBodySweepFixture fixture) : IClassFixture<SmallBodySweepFixture>
{
    [Fact]
    public async Task ABodyOverTheLimitIs413OnEveryRouteThatReadsOneWithOrWithoutAContentLength()
    {
        var json = "{\"padding\": \"" + SweepInputs.Long(8 * SmallBodySweepFixture.Limit) + "\"}";
        var cases = (from route in fixture.Routes.Where(r => r.TakesBody)
                     let readsBody = route.Method == "PUT" || SweepInputs.SampleBody(route, fixture.Seed) is not null
                     from chunked in new[] { false, true }
                     select new SweepCase(chunked ? "8 KiB, chunked" : "8 KiB", route, route.Method, fixture.Seed.PathOf(route), fixture.Seed.KeyA, () => Body(json, chunked))
                     {
                         Expect = readsBody ? BadInputSweepTests.ExpectStatus(HttpStatusCode.RequestEntityTooLarge) : null,
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }

    private static HttpContent Body(string json, bool chunked) => chunked ? new ChunkedContent(json) : SweepRunner.Json(json);
}
