using System.Diagnostics;
using Azure.Data.Tables;
using FuncTrace.Bench;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;
using FuncTrace.Bench.Scenarios;
using FuncTrace.FakeOpenAi;

// Runs every scenario of the benchmark against the app as its own process; see README "Benchmarks".
BenchOptions options;
try
{
    options = BenchOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var clock = Stopwatch.StartNew();
var started = DateTimeOffset.UtcNow;
using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromMinutes(5) };
await using var judge = await FakeOpenAiServer.StartAsync();
judge.Latency = TimeSpan.FromMilliseconds(200);
judge.Fallback = _ => FakeReply.Text("""{"score": 7, "reasoning": "Fixed answer of the benchmark judge."}""");
var results = new ResultTable();
var tables = new TableServiceClient(options.StorageConnection);
var bench = new BenchContext(options, http, tables, judge, results);
File.Delete(BenchOptions.AppLog);
Console.WriteLine($"Storage prefix {bench.Prefix}; the app's log is {BenchOptions.AppLog}");

await using (var app = await bench.StartAppAsync())
{
    var api = await ApiClient.ForNewTenantAsync(http, app.BaseAddress, BenchContext.AdminKey, "main");
    var memory = new MemoryScenario(bench, api, app);
    if (options.Runs("ingest"))
    {
        await new IngestScenario(bench, tenant => ApiClient.ForNewTenantAsync(http, app.BaseAddress, BenchContext.AdminKey, tenant)).RunAsync();
        memory.ReportPeakUnderIngest();
    }
    if (options.Runs("reads"))
    {
        await new ReadScenario(bench, await ApiClient.ForNewTenantAsync(http, app.BaseAddress, BenchContext.AdminKey, "reads")).RunAsync();
    }
    if (options.Runs("memory"))
    {
        await memory.RunArtifactAsync();
    }
}
if (options.Runs("scoring"))
{
    await new ScoringScenario(bench).RunAsync();
}
if (options.Runs("coldstart"))
{
    await new ColdStartScenario(bench).RunAsync();
}

Console.WriteLine();
Console.WriteLine(results.ToMarkdown());
var existing = File.Exists(options.Output) ? await File.ReadAllTextAsync(options.Output) : null;
await File.WriteAllTextAsync(options.Output, ReportWriter.Render(options, results, started, clock.Elapsed, existing));
Console.WriteLine($"Wrote {options.Output} in {clock.Elapsed.TotalMinutes:0.0} min.");
return 0;
