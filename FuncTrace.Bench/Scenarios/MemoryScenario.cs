using System.Net;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;

namespace FuncTrace.Bench.Scenarios;

/// <summary>
/// Scenario 6. The app's peak resident set since it started (VmHWM, read right after the ingest load), and how far
/// its resident set (VmRSS, sampled every 10 ms) rises above where it was while a 100 MiB artifact is uploaded and
/// downloaded again.
/// </summary>
public sealed class MemoryScenario(BenchContext bench, ApiClient api, AppProcess app)
{
    private const long ArtifactBytes = 100L * 1024 * 1024;

    public void ReportPeakUnderIngest()
    {
        var peak = ProcStatus.PeakRss(app.Pid);
        bench.Results.Add(new("6 memory", "peak RSS (VmHWM) after the ingest load", ResultTable.MiBs(peak), "≤ 150 MiB", peak <= 150 * ProcStatus.MiB));
    }

    public async Task RunArtifactAsync()
    {
        Console.WriteLine("Memory: 100 MiB artifact up and down");
        const string eventId = "artifact-host";
        var host = System.Net.Http.Json.JsonContent.Create(new { id = eventId, conversation_id = "artifact", event_type = "build", data = new { } });
        if (!await api.SendAsync(api.Request(HttpMethod.Post, "api/events", host), HttpStatusCode.Created))
        {
            throw new InvalidOperationException("Could not create the artifact's event.");
        }

        var growth = new List<double>();
        for (var rep = 1; rep <= bench.Options.Repetitions; rep++)
        {
            var before = ProcStatus.Rss(app.Pid);
            using var sampling = new CancellationTokenSource();
            var peak = SamplePeakAsync(sampling.Token);
            var upload = new StreamContent(new PatternStream(ArtifactBytes));
            upload.Headers.ContentType = new("application/octet-stream");
            upload.Headers.ContentLength = ArtifactBytes;
            var path = $"api/events/{eventId}/artifacts/big-{rep}.bin";
            var uploaded = await api.SendAsync(api.Request(HttpMethod.Put, path, upload), HttpStatusCode.Created);
            using var download = api.Request(HttpMethod.Get, path);
            using var response = await api.Http.SendAsync(download, HttpCompletionOption.ResponseHeadersRead);
            var counter = new CountingStream();
            await response.Content.CopyToAsync(counter);
            await sampling.CancelAsync();
            if (!uploaded || counter.Count != ArtifactBytes)
            {
                throw new InvalidOperationException($"The artifact round trip failed (uploaded: {uploaded}, downloaded {counter.Count} bytes).");
            }
            growth.Add(Math.Max(0, await peak - before));
        }
        var median = Stats.Median(growth);
        bench.Results.Add(new("6 memory", "RSS growth, 100 MiB artifact up + down", ResultTable.MiBs(median), "≤ 20 MiB", median <= 20 * ProcStatus.MiB));
    }

    private async Task<double> SamplePeakAsync(CancellationToken stop)
    {
        double peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, ProcStatus.Rss(app.Pid));
            await Task.Delay(10, CancellationToken.None);
        }
        return Math.Max(peak, ProcStatus.Rss(app.Pid));
    }
}
