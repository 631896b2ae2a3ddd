using System.Net;

namespace FuncTrace.Tests.Sweep;

/// <summary>Every route that reads a JSON body, in an app whose body limit is 1 KiB.</summary>
public sealed class OversizedBodySweepTests(SmallBodySweepFixture fixture) : IClassFixture<SmallBodySweepFixture>
{
    [Fact]
    public async Task ABodyOverTheLimitIs413OnEveryRouteThatReadsOneWithOrWithoutAContentLength()
    {
        var json = "{\"padding\": \"" + SweepInputs.Long(8 * SmallBodySweepFixture.Limit) + "\"}";
        var cases = (from route in fixture.Routes.Where(r => r.TakesBody)
                     from chunked in new[] { false, true }
                     select new SweepCase(chunked ? "8 KiB, chunked" : "8 KiB", route, route.Method, fixture.Seed.PathOf(route), fixture.Seed.KeyA,
                         () => chunked ? new ChunkedContent(json) : SweepRunner.Json(json))
                     {
                         Expect = route.ReadsJson ? BadInputSweepTests.ExpectStatus(HttpStatusCode.RequestEntityTooLarge) : null,
                     }).ToList();

        await SweepRunner.AssertCleanAsync(fixture.Client, cases);
    }
}
