using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

/// <summary>The real executable, started as the Functions host or a developer would start it.</summary>
public sealed class HostProcessTests
{
    [Fact]
    public async Task UnderTheFunctionsHostItListensOnTheGivenPortOnLoopback()
    {
        var port = FreePort();

        using var host = StartHost(new Dictionary<string, string> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var health = await WaitForHealthAsync(host, $"http://127.0.0.1:{port}/api/health");

        Assert.Equal("healthy", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task StandaloneItHonoursTheUrlsArgument()
    {
        var port = FreePort();

        using var host = StartHost(new Dictionary<string, string>(), $"--urls=http://127.0.0.1:{port}");
        var health = await WaitForHealthAsync(host, $"http://127.0.0.1:{port}/api/health");

        Assert.Equal("healthy", health.GetProperty("status").GetString());
    }

    private static HostProcess StartHost(Dictionary<string, string> environment, params string[] arguments)
    {
        var output = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(output, "FuncTrace.Functions.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["AzureWebJobsStorage"] = TestStorage.ConnectionString;
        start.Environment["FuncTrace__StoragePrefix"] = "p" + Guid.NewGuid().ToString("N")[..10];
        start.Environment["ASPNETCORE_URLS"] = null;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new HostProcess(Process.Start(start)!);
    }

    private static async Task<JsonElement> WaitForHealthAsync(HostProcess host, string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(host.Process.HasExited, $"The host exited with {(host.Process.HasExited ? host.Process.ExitCode : 0)}: {host.Output()}");
            try
            {
                using var response = await client.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < deadline, "The host did not answer /api/health within 60 s: " + host.Output());
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the process (and collects what it printed) when the test ends.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        public HostProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output()
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
            Process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
