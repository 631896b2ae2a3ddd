using System.Net;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// Scenario 1. <c>POST /api/events</c> at each concurrency against two baselines sent with the same HTTP client
/// and concurrency straight to Azurite's Table endpoint: (a) one entity per event (the record row), and (b) the
/// same rows the service writes for the event, in one transaction, without its reads. Each worker writes its
/// own conversation, as an agent does. Then <c>POST /api/events/batch</c> of 100 against the single-event rate.
/// The variants alternate within each repetition, so the ratios compare runs seconds apart. Every run writes to a
/// partition (tenant) of its own: Azurite finds an entity by scanning its partition, so a partition that grew
/// during earlier runs would slow later ones.
/// </summary>
public sealed class IngestScenario(BenchContext bench, Func<string, Task<ApiClient>> newTenant)
{
    public static readonly int[] Concurrencies = [1, 8, 32, 64];
    private const int BatchSize = 100;
    private readonly TableClient _table = new(bench.Storage, bench.Prefix + StorageNames.EventsTable, bench.StorageOptions());
    private int _run;

    /// <summary>Rows in one event's transaction once its conversation has a previous activity row to delete.</summary>
    private static int RowsPerEvent
    {
        get
        {
            var rows = new BaselineRows("count", "count");
            rows.NextTransaction();
            return rows.NextTransaction().Count;
        }
    }

    public async Task RunAsync()
    {
        Console.WriteLine("Ingest: warming up");
        await OursAsync(8, TimeSpan.FromSeconds(2));
        await OneEntityAsync(8, TimeSpan.FromSeconds(1));
        await SameRowsAsync(8, TimeSpan.FromSeconds(1));

        var runs = new List<(int Concurrency, LoadResult Ours, LoadResult One, LoadResult Rows)>();
        var batches = new List<(LoadResult Batch, LoadResult Single)>();
        for (var rep = 1; rep <= bench.Options.Repetitions; rep++)
        {
            Console.WriteLine($"Ingest: repetition {rep}/{bench.Options.Repetitions}");
            foreach (var concurrency in Concurrencies)
            {
                runs.Add((concurrency, await OursAsync(concurrency, bench.Duration), await OneEntityAsync(concurrency, bench.Duration), await SameRowsAsync(concurrency, bench.Duration)));
            }
            batches.Add((await BatchAsync(), runs.Last(r => r.Concurrency == 1).Ours));
        }
        Report(runs, batches);
    }

    private void Report(List<(int Concurrency, LoadResult Ours, LoadResult One, LoadResult Rows)> runs, List<(LoadResult Batch, LoadResult Single)> batches)
    {
        foreach (var concurrency in Concurrencies)
        {
            var mine = runs.Where(r => r.Concurrency == concurrency).ToList();
            var ours = Stats.Median(mine.Select(r => r.Ours.ItemsPerSecond));
            var ratioRows = Stats.Median(mine.Select(r => r.Ours.ItemsPerSecond / r.Rows.ItemsPerSecond));
            var name = $"1 ingest c={concurrency}";
            bench.Results.Add(new(name, "POST /api/events (events/s)", ResultTable.Number(ours, 1)));
            bench.Results.Add(new(name, "baseline (a) one entity/event (events/s)", ResultTable.Number(Stats.Median(mine.Select(r => r.One.ItemsPerSecond)), 1)));
            bench.Results.Add(new(name, $"baseline (b) same {RowsPerEvent} rows, one transaction (events/s)", ResultTable.Number(Stats.Median(mine.Select(r => r.Rows.ItemsPerSecond)), 1)));
            bench.Results.Add(new(name, "ours ÷ (a)", ResultTable.Ratio(Stats.Median(mine.Select(r => r.Ours.ItemsPerSecond / r.One.ItemsPerSecond)))));
            bench.Results.Add(new(name, "ours ÷ (b)", ResultTable.Ratio(ratioRows), "≥ 0.80×", ratioRows >= 0.8));
            bench.Results.Add(new(name, "POST /api/events latency p50 / p99", $"{ResultTable.Ms(Stats.Median(mine.Select(r => Stats.Percentile(r.Ours.LatenciesMs, 50))))} / {ResultTable.Ms(Stats.Median(mine.Select(r => Stats.Percentile(r.Ours.LatenciesMs, 99))))}"));
            var failures = mine.Sum(r => r.Ours.Failures + r.One.Failures + r.Rows.Failures);
            if (failures > 0)
            {
                bench.Results.Note($"ingest c={concurrency}: {failures} requests failed across all repetitions (not counted as events).");
            }
        }
        var batchRate = Stats.Median(batches.Select(b => b.Batch.ItemsPerSecond));
        var batchRatio = Stats.Median(batches.Select(b => b.Batch.ItemsPerSecond / b.Single.ItemsPerSecond));
        bench.Results.Add(new("1 ingest batch", $"POST /api/events/batch ×{BatchSize}, c=1 (events/s)", ResultTable.Number(batchRate, 1)));
        bench.Results.Add(new("1 ingest batch", "batch ÷ single-event rate at c=1", ResultTable.Ratio(batchRatio), "≥ 5×", batchRatio >= 5));
    }

    private async Task<LoadResult> OursAsync(int concurrency, TimeSpan duration)
    {
        var run = Interlocked.Increment(ref _run);
        var api = await newTenant($"ingest{run}");
        var bodies = Enumerable.Range(0, concurrency).Select(w => EventBodies.Single($"ingest-{run}-{w}")).ToArray();
        return await LoadRunner.RunAsync(concurrency, duration, async (worker, ct) =>
            await api.SendAsync(api.Request(HttpMethod.Post, "api/events", bodies[worker].Create()), HttpStatusCode.Created, ct) ? 1 : 0);
    }

    private Task<LoadResult> OneEntityAsync(int concurrency, TimeSpan duration)
    {
        var partition = $"one{Interlocked.Increment(ref _run)}";
        return LoadRunner.RunAsync(concurrency, duration, async (_, ct) =>
        {
            await _table.AddEntityAsync(BaselineRows.RecordOnly(partition), ct);
            return 1;
        });
    }

    private Task<LoadResult> SameRowsAsync(int concurrency, TimeSpan duration)
    {
        var run = Interlocked.Increment(ref _run);
        var writers = Enumerable.Range(0, concurrency).Select(w => new BaselineRows($"rows{run}", $"rows-{run}-{w}")).ToArray();
        return LoadRunner.RunAsync(concurrency, duration, async (worker, ct) =>
        {
            await _table.SubmitTransactionAsync(writers[worker].NextTransaction(), ct);
            return 1;
        });
    }

    private async Task<LoadResult> BatchAsync()
    {
        var run = Interlocked.Increment(ref _run);
        var api = await newTenant($"batch{run}");
        var body = EventBodies.Batch($"batch-{run}", BatchSize);
        return await LoadRunner.RunAsync(1, bench.Duration, async (_, ct) =>
            await api.SendAsync(api.Request(HttpMethod.Post, "api/events/batch", body.Create()), HttpStatusCode.MultiStatus, ct) ? BatchSize : 0);
    }
}
