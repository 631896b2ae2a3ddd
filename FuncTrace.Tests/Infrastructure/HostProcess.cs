using System.Diagnostics;
using System.Text;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// The real <c>FuncTrace.LocalHost</c> executable started as a developer starts it, on the test Azurite, with only the
/// settings a test gives it (none inherited from the test run). Collects what it prints; kills it when disposed.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private static readonly string[] InheritedSettings = ["FuncTrace", "AzureWebJobs", "AzureFunctionsJobHost", "ASPNETCORE_", "DOTNET_URLS", "LocalHost"];

    private readonly StringBuilder _output = new();
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("functrace-host-").FullName;

    private HostProcess(IReadOnlyDictionary<string, string?> settings, IEnumerable<string> arguments)
    {
        var binaries = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            // Away from any local.settings.json a developer keeps at the repository root.
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(binaries, "FuncTrace.LocalHost.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => InheritedSettings.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        Process = Process.Start(start)!;
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>The settings a working host needs: the test storage and a prefix of its own.</summary>
    public static Dictionary<string, string?> WorkingSettings() => new()
    {
        ["AzureWebJobsStorage"] = TestStorage.ConnectionString,
        ["FuncTrace__StoragePrefix"] = TestStorage.NewPrefix(),
        ["FuncTrace__AdminApiKey"] = FuncTraceApp.AdminKey,
    };

    public static HostProcess Start(IReadOnlyDictionary<string, string?> settings, params string[] arguments) => new(settings, arguments);

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>Waits until the host has printed <paramref name="text"/>; fails with everything it printed if it exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Output().Contains(text, StringComparison.Ordinal))
        {
            Assert.False(Process.HasExited && !Output().Contains(text, StringComparison.Ordinal), $"The host exited before printing '{text}': {Output()}");
            Assert.True(DateTime.UtcNow < deadline, $"The host did not print '{text}' in time: {Output()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the process to end; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The host did not exit within {timeout.TotalSeconds} s: {Output()}");
        }
        return Process.ExitCode;
    }

    /// <summary>Asks the host to stop as a service manager or Ctrl+C would: SIGTERM to this process alone.</summary>
    public async Task TerminateAsync()
    {
        if (Process.HasExited)
        {
            return;
        }
        using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0 || Process.HasExited, $"kill -TERM {Process.Id} failed while the host still ran.");
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
        Process.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
