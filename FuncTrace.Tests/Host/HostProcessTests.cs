using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FuncTrace.LocalHost;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

/// <summary>The real FuncTrace.LocalHost executable, started as a developer starts it.</summary>
public sealed class HostProcessTests
{
    [Fact]
    public async Task ItServesOnTheUrlsArgument()
    {
        var port = FreePort();
        using var host = HostProcess.Start(HostProcess.WorkingSettings(), "--urls", $"http://127.0.0.1:{port}");

        var health = await WaitForHealthAsync(host, port);

        Assert.Equal("healthy", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task WithoutUrlsItIsConfiguredForLocalhost7071()
    {
        // Only the startup log is read: the port may be taken by a developer's own host, and the test must not need it.
        using var host = HostProcess.Start(HostProcess.WorkingSettings());

        await host.WaitForOutputAsync("HTTP functions on ");
        await host.TerminateAsync();

        Assert.Contains($"HTTP functions on {LocalFunctionsHost.DefaultUrl}", host.Output(), StringComparison.Ordinal);
        Assert.Equal("http://localhost:7071", LocalFunctionsHost.DefaultUrl);
    }

    [Fact]
    public async Task SigtermStopsItCleanlyWithExitCodeZero()
    {
        var port = FreePort();
        using var host = HostProcess.Start(HostProcess.WorkingSettings(), $"--urls=http://127.0.0.1:{port}");
        await WaitForHealthAsync(host, port);

        await host.TerminateAsync();

        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{port}/api/health"));
    }

    [Fact]
    public async Task AQueueSettingFromTheEnvironmentOverridesHostJson()
    {
        var settings = HostProcess.WorkingSettings();
        settings["AzureFunctionsJobHost__extensions__queues__batchSize"] = "7";
        settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "2";
        using var host = HostProcess.Start(settings, $"--urls=http://127.0.0.1:{FreePort()}");

        await host.WaitForOutputAsync("Queue triggers on");

        var line = host.Output().Split('\n').Single(l => l.Contains("Queue triggers on", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        var state = json.RootElement.GetProperty("State");
        Assert.Equal(7, state.GetProperty("BatchSize").GetInt32());
        Assert.Equal(2, state.GetProperty("MaxDequeueCount").GetInt32());
        Assert.Equal("00:00:05", state.GetProperty("VisibilityTimeout").GetString());
    }

    [Theory]
    [InlineData("FuncTrace__StoragePrefix", null, "FuncTrace__StoragePrefix")]
    [InlineData("FuncTrace__StoragePrefix", "Not-Valid", "FuncTrace__StoragePrefix")]
    [InlineData("FuncTrace__MaxRequestBodyBytes", "10", "FuncTrace__MaxRequestBodyBytes")]
    [InlineData("AzureWebJobsStorage", null, "AzureWebJobsStorage")]
    [InlineData("AzureFunctionsJobHost__extensions__queues__batchSize", "64", "batchSize")]
    public async Task AnUnworkableSettingStopsTheStartWithOneLineNamingIt(string setting, string? value, string named)
    {
        var settings = HostProcess.WorkingSettings();
        settings[setting] = value;
        using var host = HostProcess.Start(settings, $"--urls=http://127.0.0.1:{FreePort()}");

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var failure = host.Output().Split('\n').Single(l => l.StartsWith("FuncTrace.LocalHost cannot start:", StringComparison.Ordinal));
        Assert.Contains(named, failure, StringComparison.Ordinal);
        // No crash dump: the only stack trace is inside the host's own JSON log line.
        Assert.DoesNotContain(host.Output().Split('\n'), l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    private static async Task<JsonElement> WaitForHealthAsync(HostProcess host, int port)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(host.Process.HasExited, $"The host exited: {host.Output()}");
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{port}/api/health");
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
}
