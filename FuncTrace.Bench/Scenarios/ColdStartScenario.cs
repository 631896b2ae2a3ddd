using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// Scenario 5. From starting the process to the first 200 from <c>/api/health</c> (which itself reads storage), with
/// the tables already created, as in a deployed app. Several starts per variant: the build as it is, runtime
/// JIT settings, and the ReadyToRun publish when the command line names one.
/// </summary>
public sealed class ColdStartScenario(BenchContext bench)
{
    private const int Starts = 5;

    public async Task RunAsync()
    {
        var variants = new List<(string Name, string Executable, (string, string)[] Settings)>
        {
            ("Release build (default JIT)", bench.Options.AppExecutable, []),
            ("DOTNET_TieredPGO=0", bench.Options.AppExecutable, [("DOTNET_TieredPGO", "0")]),
            ("DOTNET_TieredCompilation=0", bench.Options.AppExecutable, [("DOTNET_TieredCompilation", "0")]),
        };
        if (bench.Options.ReadyToRunExecutable is { } r2r)
        {
            variants.Add(("ReadyToRun publish", r2r, []));
            variants.Add(("ReadyToRun + DOTNET_TieredPGO=0", r2r, [("DOTNET_TieredPGO", "0")]));
        }

        var starts = Math.Max(2, Math.Min(Starts, bench.Options.Repetitions + 2));
        var first = true;
        foreach (var (name, executable, settings) in variants)
        {
            Console.WriteLine($"Cold start: {name}");
            var times = new List<double>();
            for (var i = 0; i < starts; i++)
            {
                await using var app = AppProcess.Start(executable, bench.AppSettings(settings), BenchOptions.AppLog);
                times.Add((await app.WaitHealthyAsync(bench.Http, TimeSpan.FromSeconds(60))).TotalMilliseconds);
            }
            var median = Stats.Median(times);
            var range = $"{ResultTable.Ms(times.Min())}–{ResultTable.Ms(times.Max())}";
            bench.Results.Add(first
                ? new("5 cold start", $"{name}: start → first 200 /api/health ({starts} starts, {range})", ResultTable.Ms(median), "≤ 500 ms", median <= 500)
                : new("5 cold start", $"{name} ({starts} starts, {range})", ResultTable.Ms(median)));
            first = false;
        }
    }
}
