using System.Diagnostics;
using System.Net;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// Scenario 2. Latency at light load (one request at a time) of reading a 100-event conversation whole
/// (<c>limit=100</c>) and the first page of the review queue (its 100 events all await a verdict), in a tenant of
/// their own. The events table also holds everything the ingest scenario wrote, as a live service's would.
/// </summary>
public sealed class ReadScenario(BenchContext bench, ApiClient api)
{
    private const int Events = 100;
    private const int RequestsPerRepetition = 200;
    private const string Conversation = "reads";

    public async Task RunAsync()
    {
        Console.WriteLine("Reads: seeding a 100-event conversation");
        if (!await api.SendAsync(api.Request(HttpMethod.Post, "api/events/batch", EventBodies.Batch(Conversation, Events).Create()), HttpStatusCode.MultiStatus))
        {
            throw new InvalidOperationException("Could not seed the conversation.");
        }
        var paths = new[] { $"api/events?conversation_id={Conversation}&limit={Events}", "api/feedback/pending" };
        var latencies = paths.ToDictionary(p => p, _ => new List<IReadOnlyList<double>>());
        foreach (var path in paths)
        {
            await MeasureAsync(path, 20);
        }
        for (var rep = 1; rep <= bench.Options.Repetitions; rep++)
        {
            Console.WriteLine($"Reads: repetition {rep}/{bench.Options.Repetitions}");
            foreach (var path in paths)
            {
                latencies[path].Add(await MeasureAsync(path, RequestsPerRepetition));
            }
        }
        foreach (var (path, reps) in latencies)
        {
            var p50 = Stats.Median(reps.Select(r => Stats.Percentile(r, 50)));
            var p99 = Stats.Median(reps.Select(r => Stats.Percentile(r, 99)));
            var name = path.StartsWith("api/events", StringComparison.Ordinal) ? "GET /api/events?conversation_id= (100 events)" : "GET /api/feedback/pending (50 of 100)";
            bench.Results.Add(new("2 reads", name + " p50", ResultTable.Ms(p50)));
            bench.Results.Add(new("2 reads", name + " p99", ResultTable.Ms(p99), "< 50 ms", p99 < 50));
        }
    }

    private async Task<IReadOnlyList<double>> MeasureAsync(string path, int count)
    {
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            if (!await api.SendAsync(api.Request(HttpMethod.Get, path), HttpStatusCode.OK))
            {
                throw new InvalidOperationException($"GET {path} failed.");
            }
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        return latencies;
    }
}
