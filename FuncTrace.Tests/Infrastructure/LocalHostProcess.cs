using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// The local host as a separate process — <c>dotnet FuncTrace.LocalHost/bin/&lt;config&gt;/net10.0/FuncTrace.LocalHost.dll</c>
/// with its settings as environment variables — for tests that kill it (<see cref="Kill"/> is SIGKILL: no shutdown code
/// runs) and start it again on the same storage. Its console output is kept for the failure message.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly string _workingDirectory;

    private LocalHostProcess(Process process, Uri baseAddress, string workingDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        _workingDirectory = workingDirectory;
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The settings every FuncTrace process needs: the test Azurite, a storage prefix, the bootstrap admin key.</summary>
    public static Dictionary<string, string?> BaseSettings(string storagePrefix) => new()
    {
        ["AzureWebJobsStorage"] = TestStorage.ConnectionString,
        ["FuncTrace:StoragePrefix"] = storagePrefix,
        ["FuncTrace:AdminApiKey"] = FuncTraceApp.AdminKey,
    };

    /// <summary>Starts the host with <paramref name="settings"/> (configuration keys; <c>:</c> becomes <c>__</c>) and waits until it answers.</summary>
    public static async Task<LocalHostProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            // Not the repository: a developer's local.settings.json there must not leak into the test.
            WorkingDirectory = Directory.CreateTempSubdirectory("functrace-host-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (name, value) in settings)
        {
            start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var host = new LocalHostProcess(process, new Uri($"http://127.0.0.1:{port}/"), start.WorkingDirectory);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host.WaitUntilHealthyAsync();
        return host;
    }

    /// <summary><c>FuncTrace.LocalHost/bin/&lt;config&gt;/net10.0/FuncTrace.LocalHost.dll</c>, in the configuration these tests were built in.</summary>
    public static string DllPath
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            var root = testOutput;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "FuncTrace.sln")))
            {
                root = root.Parent;
            }
            var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("FuncTrace.sln not found above the test output."),
                "FuncTrace.LocalHost", "bin", configuration, framework, "FuncTrace.LocalHost.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build FuncTrace.LocalHost in the tests' configuration first.", dll);
        }
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }
        return client;
    }

    /// <summary>A new API key of <paramref name="tenant"/> with <paramref name="roles"/>, made with the bootstrap admin key.</summary>
    public async Task<string> CreateKeyAsync(string tenant, params string[] roles)
    {
        using var admin = ClientWithKey(FuncTraceApp.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/admin/keys", new { tenant, roles });
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("key").GetString()!;
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash or an instance recycled by the platform would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = ClientWithKey(null);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The local host exited with {_process.ExitCode} before it answered:\n{Output}");
            }
            try
            {
                using var response = await client.GetAsync("api/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        Kill();
        throw new TimeoutException($"The local host did not answer /api/health within {StartTimeout.TotalSeconds} s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
