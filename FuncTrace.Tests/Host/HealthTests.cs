using System.Net;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

public sealed class HealthTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task HealthIsHealthyWithoutAKeyWhenStorageAnswers()
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync("/api/health");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
        Assert.True(body.GetProperty("uptime").GetDouble() >= 0);
        Assert.True(body.TryGetProperty("timestamp", out _));
    }

    [Fact]
    public async Task HealthIsDegradedWith503WhenStorageCannotBeReached()
    {
        var closedPort = ClosedPort();
        var unreachable = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={TestStorage.DevelopmentAccountKey};" +
                          $"BlobEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;";
        await using var broken = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = unreachable });
        await broken.StartAsync();
        using var client = broken.ClientWithKey(null);

        using var response = await client.GetAsync("/api/health");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
