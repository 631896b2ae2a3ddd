using System.Globalization;

namespace FuncTrace.Bench;

/// <summary>
/// The bench's command line: <c>--app PATH</c> (the built FuncTrace.LocalHost executable), <c>--app-r2r PATH</c>
/// (optional: the same app published ReadyToRun, tried for cold start), <c>--out PATH</c>
/// (the report, default BENCHMARKS.md), <c>--reps N</c> (default 3), <c>--seconds S</c> per throughput run
/// (default 3), <c>--quick</c> (1 repetition of 1 s, to try the bench out), <c>--command TEXT</c> and
/// <c>--commit TEXT</c> (recorded in the report), <c>--only LIST</c> (some of ingest,reads,memory,scoring,coldstart, to
/// investigate one). Storage is the <c>AzureWebJobsStorage</c> connection string.
/// </summary>
public sealed record BenchOptions(string AppExecutable, string? ReadyToRunExecutable, string Output, int Repetitions, double Seconds, string Command, string Commit, string StorageConnection, IReadOnlySet<string> Scenarios)
{
    public static readonly IReadOnlyList<string> AllScenarios = ["ingest", "reads", "memory", "scoring", "coldstart"];

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>Where the app's console log goes, outside the repository; kept for a look after a run.</summary>
    public static string AppLog => Path.Combine(Path.GetTempPath(), "functrace-bench-app.log");

    public static BenchOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var quick = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--quick")
            {
                quick = true;
            }
            else if (args[i] is "--app" or "--app-r2r" or "--out" or "--reps" or "--seconds" or "--command" or "--commit" or "--only" && i + 1 < args.Count)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Unknown or incomplete argument '{args[i]}'. Use --app PATH [--app-r2r PATH] [--out PATH] [--reps N] [--seconds S] [--quick] [--command TEXT] [--commit TEXT] [--only LIST].");
            }
        }
        var app = values.GetValueOrDefault("--app") ?? throw new ArgumentException("--app PATH (the FuncTrace.LocalHost executable) is required.");
        var scenarios = (values.GetValueOrDefault("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [.. AllScenarios]).ToHashSet(StringComparer.Ordinal);
        if (scenarios.Except(AllScenarios).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown scenario '{unknown}'; scenarios are {string.Join(", ", AllScenarios)}.");
        }
        var storage = environment("AzureWebJobsStorage") ?? throw new ArgumentException("Set AzureWebJobsStorage to the storage the app should use.");
        return new BenchOptions(
            Path.GetFullPath(app),
            values.GetValueOrDefault("--app-r2r") is { } r2r ? Path.GetFullPath(r2r) : null,
            Path.GetFullPath(values.GetValueOrDefault("--out") ?? "BENCHMARKS.md"),
            quick ? 1 : Positive(values, "--reps", 3),
            quick ? 1 : Positive(values, "--seconds", 3),
            values.GetValueOrDefault("--command") ?? "dotnet FuncTrace.Bench.dll",
            values.GetValueOrDefault("--commit") ?? "unknown",
            storage,
            scenarios);
    }

    private static int Positive(Dictionary<string, string> values, string name, int fallback) =>
        !values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new ArgumentException($"{name} must be a positive whole number.");
}
