using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sweep;

/// <summary>
/// A client that stops sending its body (issue 12, item 4): on every route that declares one, a <c>Content-Length</c> the
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
        var stalls = from route in fixture.Routes.Where(r => r.TakesBody && r.Body is not null)
                     from stall in new[]
                     {
                         (Label: "Content-Length 100, 5 bytes sent", Framing: "Content-Length: 100", Part: "{\"a\":"),
                         (Label: "chunked, stopped mid-chunk", Framing: "Transfer-Encoding: chunked", Part: "64\r\n{\"a\":"),
                     }
                     select (route, stall);

        var answers = await Task.WhenAll(stalls.Select(async s =>
        {
            var answer = await RawHttp.SendThenStallAsync(fixture.App.BaseAddress, s.route.Method, fixture.Seed.PathOf(s.route),
                ["X-API-Key: " + fixture.Seed.KeyA, "Content-Type: application/json", s.stall.Framing, "Connection: close"],
                System.Text.Encoding.UTF8.GetBytes(s.stall.Part), Patience);
            return (Case: $"{s.route} [{s.stall.Label}]", Route: s.route, Answer: answer);
        }));

        Assert.NotEmpty(answers);
        Assert.All(answers, a =>
        {
            // A route that reads its JSON body under a path tenant A owns must wait for it; another may refuse first (404, 415).
            var waits = a.Route.ReadsJson && a.Route.Parameters.All(p => fixture.Seed.Knows(a.Route, p));
            var status = (int)a.Answer.Status;
            Assert.True(waits ? status is 408 or 400 : status is >= 400 and < 500, $"{a.Case}: expected {(waits ? "408 or 400" : "a 4xx")}, got {status}: {a.Answer.Body}");
            Assert.Null(a.Route.IsExternal
                ? SweepRunner.ExternalEnvelopeProblem(a.Answer.Body)
                : SweepRunner.EnvelopeProblem(a.Answer.Body, a.Answer.Headers.GetValueOrDefault("x-request-id")));
        });
        Assert.Equal(before, await fixture.SnapshotOfTenantAAsync());
    }
}
