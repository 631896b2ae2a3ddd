using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// A client that stops sending its body (issue 12, item 4): on every route that takes one, a <c>Content-Length</c> the
/// bytes never reach, and a chunked body that stops mid-chunk, each then silent. Kestrel's minimum data rate gives up
/// after its 5 s grace; the answer must be a 4xx in the envelope (408 or 400 where the route waits for the body), never
/// a 500, and nothing is stored.
/// </summary>
public sealed class StalledBodySweepTests(SweepFixture fixture) : IClassFixture<SweepFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task ABodyThatStopsArrivingIsA4xxInTheEnvelopeOnEveryRouteThatTakesOneAndNothingIsStored()
    {
        var before = await fixture.SnapshotOfTenantAAsync();
        var stalls = from route in fixture.Routes.Where(r => r.TakesBody)
                     from stall in new[]
                     {
                         (Label: "Content-Length 100, 5 bytes sent", Framing: "Content-Length: 100", Part: "{\"a\":"),
                         (Label: "chunked, stopped mid-chunk", Framing: "Transfer-Encoding: chunked", Part: "64\r\n{\"a\":"),
                     }
                     select (route, stall);

        var answers = await Task.WhenAll(stalls.Select(async s =>
        {
            var head = $"""
                {s.route.Method} {fixture.Seed.PathOf(s.route)} HTTP/1.1
                Host: {fixture.App.BaseAddress.Authority}
                X-API-Key: {fixture.Seed.KeyA}
                Content-Type: application/json
                {s.stall.Framing}
                Connection: close


                """;
            var answer = await RawHttp.SendAndStallAsync(fixture.App.BaseAddress, head, s.stall.Part, Patience);
            return (Case: $"{s.route} [{s.stall.Label}]", Route: s.route, Answer: answer);
        }));

        Assert.NotEmpty(answers);
        Assert.All(answers, a =>
        {
            // A route that reads its JSON body under a path tenant A owns must wait for it; another may refuse first (404, 415).
            var waits = a.Route.ReadsJson && a.Route.Parameters.All(p => fixture.Seed.Knows(a.Route, p));
            Assert.True(waits ? a.Answer.Status is 408 or 400 : a.Answer.Status is >= 400 and < 500, $"{a.Case}: expected {(waits ? "408 or 400" : "a 4xx")}, got {a.Answer.Status}: {a.Answer.Body}");
            Assert.Null(SweepRunner.EnvelopeProblem(a.Answer.Body, a.Answer.Headers.GetValueOrDefault("x-request-id")));
        });
        Assert.Equal(before, await fixture.SnapshotOfTenantAAsync());
    }
}
