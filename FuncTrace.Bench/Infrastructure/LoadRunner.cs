using System.Diagnostics;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>What a closed-loop run achieved: items done per second, failures, and each operation's latency.</summary>
public sealed record LoadResult(double ItemsPerSecond, int Operations, int Failures, IReadOnlyList<double> LatenciesMs);

/// <summary>
/// Closed-loop load: <c>concurrency</c> workers each run one operation after another until the time is up.
/// An operation returns how many items it completed (an event, or the events of a batch), 0 when it failed;
/// one that throws counts as failed too, so a storage error is reported rather than ending the run.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(int concurrency, TimeSpan duration, Func<int, CancellationToken, Task<int>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var items = 0;
        var failures = 0;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                var done = await TryAsync(operation, worker);
                mine.Add((clock.Elapsed - started).TotalMilliseconds);
                if (done > 0)
                {
                    Interlocked.Add(ref items, done);
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        })).ToList();
        await Task.WhenAll(workers);
        // The last operations overrun the deadline; the rate is over the time they actually took.
        return new LoadResult(items / clock.Elapsed.TotalSeconds, latencies.Count, failures, latencies);
    }

    private static async Task<int> TryAsync(Func<int, CancellationToken, Task<int>> operation, int worker)
    {
        try
        {
            return await operation(worker, CancellationToken.None);
        }
        catch (Exception ex) when (ex is HttpRequestException or Azure.RequestFailedException or InvalidOperationException or IOException)
        {
            return 0;
        }
    }
}
