using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// Scenarios 3 and 4 across app configurations: the default (<c>FuncTrace__Llm__MaxConcurrency</c> 8), sequential
/// (the same app started with MaxConcurrency 1: one judge call at a time, the naive way) and 16 (what the ≥10×
/// target needs). Each configuration first runs a small job that is not counted, so the queue listener is awake;
/// the default configuration reports that first job after idle apart.
/// </summary>
public sealed class ScoringSuite(BenchContext bench)
{
    private const int DefaultConcurrency = 8;
    private const int WarmTests = 8;

    /// <summary>On the running default app; returns the median wall time.</summary>
    public async Task<TimeSpan> RunDefaultAsync(ApiClient api)
    {
        var scenario = new BatchScoringScenario(bench, api);
        Console.WriteLine("Batch scoring: default concurrency");
        var first = await scenario.RunJobAsync(WarmTests);
        var runs = new List<ScoringRun>();
        for (var rep = 1; rep <= bench.Options.Repetitions; rep++)
        {
            runs.Add(await scenario.RunJobAsync());
        }
        var wall = Median(runs);
        var ideal = Ideal(DefaultConcurrency);
        var ratio = wall / ideal;
        bench.Results.Add(new("3 batch scoring", $"wall, {BatchScoringScenario.Tests} tests, judge {bench.Judge.Latency.TotalMilliseconds:0} ms, MaxConcurrency {DefaultConcurrency}", ResultTable.Ms(wall.TotalMilliseconds)));
        bench.Results.Add(new("3 batch scoring", $"÷ ideal ceil(100/{DefaultConcurrency})×200 ms = {ideal.TotalMilliseconds:0} ms", ResultTable.Ratio(ratio), "≤ 1.30×", ratio <= 1.3));
        bench.Results.Add(new("3 batch scoring", "judge calls in flight at once (peak)", Stats.Median(runs.Select(r => (double)r.JudgePeak)).ToString("0", System.Globalization.CultureInfo.InvariantCulture)));
        bench.Results.Add(new("3 batch scoring", $"first job after idle ({WarmTests} tests; queue poll backoff)", ResultTable.Ms(first.Wall.TotalMilliseconds)));

        var p50 = Stats.Median(runs.Select(r => Stats.Percentile(r.RelayMs, 50)));
        var p99 = Stats.Median(runs.Select(r => Stats.Percentile(r.RelayMs, 99)));
        bench.Results.Add(new("4 SSE relay", "result row RecordedAt → client reads its event, p50", ResultTable.Ms(p50), "≤ 150 ms", p50 <= 150));
        bench.Results.Add(new("4 SSE relay", "same, p99", ResultTable.Ms(p99)));
        return wall;
    }

    /// <summary>Starts the app with MaxConcurrency 1, scores one job (20 s of judge time alone), compares with <paramref name="defaultWall"/>.</summary>
    public async Task RunSequentialAsync(TimeSpan defaultWall)
    {
        Console.WriteLine("Batch scoring: sequential (MaxConcurrency 1)");
        var runs = await RunOnFreshAppAsync(1, repetitions: 1);
        var wall = Median(runs);
        var speedup = wall / defaultWall;
        bench.Results.Add(new("3 batch scoring", "sequential wall (MaxConcurrency 1, one run)", ResultTable.Ms(wall.TotalMilliseconds)));
        bench.Results.Add(new("3 batch scoring", "sequential ÷ default (speed-up)", ResultTable.Ratio(speedup), "≥ 10×", speedup >= 10));
    }

    /// <summary>The same job at MaxConcurrency 16, to show where the time goes when the judge is not the limit.</summary>
    public async Task RunWideAsync(int concurrency)
    {
        Console.WriteLine($"Batch scoring: MaxConcurrency {concurrency}");
        var runs = await RunOnFreshAppAsync(concurrency, bench.Options.Repetitions);
        var wall = Median(runs);
        bench.Results.Add(new("3 batch scoring", $"wall at MaxConcurrency {concurrency} (÷ ideal {Ideal(concurrency).TotalMilliseconds:0} ms)", $"{ResultTable.Ms(wall.TotalMilliseconds)} ({ResultTable.Ratio(wall / Ideal(concurrency))}; judge peak {Stats.Median(runs.Select(r => (double)r.JudgePeak)):0})"));
    }

    private async Task<List<ScoringRun>> RunOnFreshAppAsync(int concurrency, int repetitions)
    {
        await using var app = await bench.StartAppAsync(("FuncTrace__Llm__MaxConcurrency", concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var api = await ApiClient.ForNewTenantAsync(bench.Http, app.BaseAddress, BenchContext.AdminKey, $"scoring{concurrency}");
        var scenario = new BatchScoringScenario(bench, api);
        await scenario.RunJobAsync(WarmTests);
        var runs = new List<ScoringRun>();
        for (var rep = 1; rep <= repetitions; rep++)
        {
            runs.Add(await scenario.RunJobAsync());
        }
        return runs;
    }

    private static TimeSpan Median(List<ScoringRun> runs) => TimeSpan.FromMilliseconds(Stats.Median(runs.Select(r => r.Wall.TotalMilliseconds)));

    private TimeSpan Ideal(int concurrency) => bench.Judge.Latency * Math.Ceiling((double)BatchScoringScenario.Tests / concurrency);
}
