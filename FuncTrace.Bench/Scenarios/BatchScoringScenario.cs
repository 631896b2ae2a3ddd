using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Bench.Scenarios;

/// <summary>What one scoring job took: wall time from the POST to the <c>complete</c> event, and per result how long
/// after its row's <c>RecordedAt</c> the client read its <c>result</c> event (the SSE relay delay).</summary>
public sealed record ScoringRun(TimeSpan Wall, IReadOnlyList<double> RelayMs, int JudgePeak);

/// <summary>
/// Scenarios 3 and 4. One job of <see cref="Tests"/> tests, followed over SSE from the POST itself
/// (<c>Accept: text/event-stream</c>). The result rows (<c>seq|{n}</c> in the jobs table) carry the time they were
/// recorded; the client stamps each <c>result</c> event when read, on the same machine clock.
/// </summary>
public sealed class BatchScoringScenario(BenchContext bench, ApiClient api)
{
    public const int Tests = 100;

    public async Task<ScoringRun> RunJobAsync(int tests = Tests)
    {
        var body = new
        {
            judgingMatrix = "10 = correct and complete; 1 = wrong.",
            tests = Enumerable.Range(1, tests).Select(i => new { id = i, text = $"Test {i}: the agent's answer to score." }),
        };
        bench.Judge.ResetPeak();
        var clock = Stopwatch.StartNew();
        using var request = api.Request(HttpMethod.Post, "api/batchScore", JsonContent.Create(body));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var jobId = response.Headers.GetValues("X-Job-Id").Single();

        var received = new Dictionary<long, DateTimeOffset>();
        var completed = false;
        await foreach (var sse in SseClient.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            var type = sse.Data.GetProperty("type").GetString();
            if (type == "result")
            {
                received[long.Parse(sse.Id!.Split('.')[0], CultureInfo.InvariantCulture)] = sse.ReceivedAt;
            }
            else if (type is "complete" or "error")
            {
                completed = type == "complete";
                break;
            }
        }
        var wall = clock.Elapsed;
        if (!completed || received.Count != tests)
        {
            throw new InvalidOperationException($"Job {jobId} did not complete with {tests} results ({received.Count} received).");
        }
        return new ScoringRun(wall, await RelayAsync(jobId, received), bench.Judge.Peak);
    }

    private async Task<IReadOnlyList<double>> RelayAsync(string jobId, Dictionary<long, DateTimeOffset> received)
    {
        var table = new TableClient(bench.Storage, bench.Prefix + StorageNames.JobsTable, bench.StorageOptions());
        var filter = TableFilter.And(
            TableFilter.Create($"PartitionKey eq {jobId}"),
            TableFilter.Create($"RowKey ge {"seq|"}"),
            TableFilter.Create($"RowKey lt {"seq}"}"));
        var relay = new List<double>();
        await foreach (var row in table.QueryAsync(filter))
        {
            relay.Add((received[row.GetInt64("Sequence")!.Value] - row.GetDateTimeOffset("RecordedAt")!.Value).TotalMilliseconds);
        }
        return relay;
    }
}
