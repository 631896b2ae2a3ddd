using System.Globalization;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// Scenarios 3 and 4, side by side, each on an app started for it: a 100-test job against the judge (fixed latency)
/// at the default MaxConcurrency, sequential (1: one judge call at a time, the naive way) and 16. On every app a small
/// job first warms code and connections, uncounted. On the default app the queue listener is then left idle until
/// its poll delay has backed off fully, and the next small job is the first job after idle.
/// </summary>
public sealed class ScoringScenario(BenchContext bench)
{
    private const string Scoring = "3 batch scoring";
    private const string Relay = "4 SSE relay";
    private const int Tests = 100;
    private const int SmallTests = 8;
    private const int WideConcurrency = 16;

    // The empty queue's poll delay doubles from 100 ms up to host.json's maxPollingInterval (1 s), reached after 1.5 s.
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    private static readonly int DefaultConcurrency = new LlmOptions().MaxConcurrency;

    public async Task RunAsync()
    {
        var wall = await RunDefaultAsync();
        await RunSequentialAsync(wall);
        await RunWideAsync();
    }

    private async Task<TimeSpan> RunDefaultAsync()
    {
        Console.WriteLine($"Batch scoring: default MaxConcurrency ({DefaultConcurrency})");
        await using var app = await StartAppAsync(null);
        var job = await WarmJobAsync(app, "scoring-default");
        await Task.Delay(Idle);
        var afterIdle = await job.RunAsync(SmallTests);
        var awake = await job.RunAsync(SmallTests);
        var runs = await RepeatAsync(job, bench.Options.Repetitions);

        var wall = Wall(runs);
        var ideal = Ideal(DefaultConcurrency);
        var ratio = wall / ideal;
        bench.Results.Add(new(Scoring, $"wall, {Tests} tests, judge {Ms(bench.Judge.Latency)}, MaxConcurrency {DefaultConcurrency} (default)", Ms(wall)));
        bench.Results.Add(new(Scoring, $"÷ ideal ceil({Tests}/{DefaultConcurrency})×{Ms(bench.Judge.Latency)} = {Ms(ideal)}", ResultTable.Ratio(ratio), "≤ 1.30×", ratio <= 1.3));
        bench.Results.Add(new(Scoring, "judge calls in flight at once (peak)", ResultTable.Number(Stats.Median(runs.Select(r => (double)r.JudgePeak)))));
        bench.Results.Add(new(Scoring, $"first job after {Idle.TotalSeconds:0} s idle ({SmallTests} tests; queue poll backoff)", $"{Ms(afterIdle.Wall)} (awake: {Ms(awake.Wall)})"));

        var p50 = Stats.Median(runs.Select(r => Stats.Percentile(r.RelayMs, 50)));
        var p99 = Stats.Median(runs.Select(r => Stats.Percentile(r.RelayMs, 99)));
        bench.Results.Add(new(Relay, "seq row RecordedAt → client reads its result event, p50", ResultTable.Ms(p50), "≤ 150 ms", p50 <= 150));
        bench.Results.Add(new(Relay, "same, p99", ResultTable.Ms(p99)));
        return wall;
    }

    private async Task RunSequentialAsync(TimeSpan defaultWall)
    {
        Console.WriteLine("Batch scoring: sequential (MaxConcurrency 1)");
        var run = (await RunOnFreshAppAsync(1, repetitions: 1)).Single();
        var speedup = run.Wall / defaultWall;
        bench.Results.Add(new(Scoring, $"sequential wall (MaxConcurrency 1, one run; judge peak {run.JudgePeak})", Ms(run.Wall)));
        bench.Results.Add(new(Scoring, "speed-up: sequential ÷ default", ResultTable.Ratio(speedup), "≥ 6×", speedup >= 6));
    }

    private async Task RunWideAsync()
    {
        Console.WriteLine($"Batch scoring: MaxConcurrency {WideConcurrency}");
        var runs = await RunOnFreshAppAsync(WideConcurrency, bench.Options.Repetitions);
        var wall = Wall(runs);
        var ideal = Ideal(WideConcurrency);
        var peak = Stats.Median(runs.Select(r => (double)r.JudgePeak));
        bench.Results.Add(new(Scoring, $"wall at MaxConcurrency {WideConcurrency} (÷ ideal {Ms(ideal)}; judge peak)",
            $"{Ms(wall)} ({ResultTable.Ratio(wall / ideal)}; {ResultTable.Number(peak)})"));
    }

    private async Task<List<ScoringRun>> RunOnFreshAppAsync(int maxConcurrency, int repetitions)
    {
        await using var app = await StartAppAsync(maxConcurrency);
        return await RepeatAsync(await WarmJobAsync(app, $"scoring-{maxConcurrency}"), repetitions);
    }

    /// <summary>The app as configured apart from <paramref name="maxConcurrency"/> (null: the default).</summary>
    private Task<AppProcess> StartAppAsync(int? maxConcurrency)
    {
        // The POST then answers 202 at once instead of waiting for the job, and the client follows the event stream.
        (string, string) noWait = ("FuncTrace__BatchScore__WaitSeconds", "0");
        return maxConcurrency is { } limit
            ? bench.StartAppAsync(noWait, ("FuncTrace__Llm__MaxConcurrency", limit.ToString(CultureInfo.InvariantCulture)))
            : bench.StartAppAsync(noWait);
    }

    private async Task<ScoringJob> WarmJobAsync(AppProcess app, string tenant)
    {
        var job = new ScoringJob(bench, await ApiClient.ForNewTenantAsync(bench.Http, app.BaseAddress, BenchContext.AdminKey, tenant));
        await job.RunAsync(SmallTests);
        return job;
    }

    private static async Task<List<ScoringRun>> RepeatAsync(ScoringJob job, int repetitions)
    {
        var runs = new List<ScoringRun>();
        for (var rep = 1; rep <= repetitions; rep++)
        {
            runs.Add(await job.RunAsync(Tests));
        }
        return runs;
    }

    private static TimeSpan Wall(List<ScoringRun> runs) => TimeSpan.FromMilliseconds(Stats.Median(runs.Select(r => r.Wall.TotalMilliseconds)));

    private TimeSpan Ideal(int maxConcurrency) => bench.Judge.Latency * Math.Ceiling((double)Tests / maxConcurrency);

    private static string Ms(TimeSpan time) => ResultTable.Ms(time.TotalMilliseconds);
}
