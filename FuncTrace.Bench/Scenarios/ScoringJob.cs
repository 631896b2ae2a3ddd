using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// What one job took: from the POST to reading the <c>complete</c> event, the most judge calls in flight at once,
/// and per result the relay delay in milliseconds.
/// </summary>
public sealed record ScoringRun(TimeSpan Wall, int JudgePeak, IReadOnlyList<double> RelayMs);

/// <summary>
/// One batch-scoring job as a client runs it: <c>POST /api/batchScore</c>, which answers 202 at once (the app runs
/// with WaitSeconds 0), then <c>GET /api/batchScore/{jobId}/events</c> until <c>complete</c>. The relay delay of a
/// result is from the <c>RecordedAt</c> of its <c>seq|{n}</c> row (stamped as the outcome is counted; the stream
/// reads these rows) to the client reading event <c>{n}.2</c>; app and bench read the same machine clock.
/// </summary>
public sealed class ScoringJob(BenchContext bench, ApiClient api)
{
    public async Task<ScoringRun> RunAsync(int tests)
    {
        var body = new
        {
            judgingMatrix = "10 = correct and complete; 1 = wrong.",
            tests = Enumerable.Range(1, tests).Select(i => new { id = i, text = $"Test {i}: the agent's answer to score." }),
        };
        bench.Judge.ResetPeakConcurrency();
        var clock = Stopwatch.StartNew();
        var jobId = await StartAsync(JsonContent.Create(body));
        var received = await FollowAsync(jobId, tests);
        var wall = clock.Elapsed;
        return new ScoringRun(wall, bench.Judge.PeakConcurrency, await RelayAsync(jobId, received));
    }

    private async Task<string> StartAsync(HttpContent body)
    {
        using var request = api.Request(HttpMethod.Post, "api/batchScore", body);
        using var response = await api.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/batchScore answered {(int)response.StatusCode}, not 202: {text}");
        }
        using var accepted = JsonDocument.Parse(text);
        return accepted.RootElement.GetProperty("jobId").GetString()!;
    }

    /// <summary>When the client read each result event, by sequence number.</summary>
    private async Task<Dictionary<long, DateTimeOffset>> FollowAsync(string jobId, int tests)
    {
        using var request = api.Request(HttpMethod.Get, $"api/batchScore/{jobId}/events");
        using var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var received = new Dictionary<long, DateTimeOffset>();
        await foreach (var sse in SseClient.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            switch (sse.Data.GetProperty("type").GetString())
            {
                case "result":
                    received[long.Parse(sse.Id!.Split('.')[0], CultureInfo.InvariantCulture)] = sse.ReceivedAt;
                    break;
                case "complete" when received.Count == tests && sse.Data.GetProperty("failed").GetArrayLength() == 0:
                    return received;
                case "complete" or "error":
                    throw new InvalidOperationException($"Job {jobId} ended without {tests} scored results: {sse.Data}");
            }
        }
        throw new InvalidOperationException($"The event stream of job {jobId} ended before its complete event.");
    }

    private async Task<IReadOnlyList<double>> RelayAsync(string jobId, Dictionary<long, DateTimeOffset> received)
    {
        var table = bench.Tables.GetTableClient(bench.Names.Table(StorageNames.JobsTable));
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {jobId} and RowKey ge {BatchJobRows.SequencePrefix} and RowKey lt {BatchJobRows.SequencePrefix + "~"}");
        var relay = new List<double>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Sequence", "RecordedAt"]))
        {
            relay.Add((received[row.GetInt64("Sequence")!.Value] - row.GetDateTimeOffset("RecordedAt")!.Value).TotalMilliseconds);
        }
        return relay;
    }
}
