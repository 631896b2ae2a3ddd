using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>
/// FuncTrace.LocalHost (the function classes, served as the Functions host would) as a real process (its Release build), on a free loopback port, with the settings the bench
/// gives it. Its console log goes to a file so a full pipe never slows it down.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private AppProcess(Process process, StreamWriter log, Uri baseAddress, Stopwatch started)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        SinceStart = started;
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    /// <summary>Runs from just before the process was started.</summary>
    public Stopwatch SinceStart { get; }

    /// <summary>Starts the app; it is not ready until <see cref="WaitHealthyAsync"/> returns.</summary>
    public static AppProcess Start(string executable, IReadOnlyDictionary<string, string> settings, string logFile)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetDirectoryName(executable)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AppProcess(process, log, new Uri($"http://127.0.0.1:{port}/"), clock);
    }

    /// <summary>Polls <c>/api/health</c> until it answers 200; returns the time from process start to that answer.</summary>
    public async Task<TimeSpan> WaitHealthyAsync(HttpClient http, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        var health = new Uri(BaseAddress, "api/health");
        while (SinceStart.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {_process.ExitCode} before it was healthy; see its log.");
            }
            try
            {
                using var response = await http.GetAsync(health);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return SinceStart.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(5);
        }
        throw new TimeoutException($"The app was not healthy within {timeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
