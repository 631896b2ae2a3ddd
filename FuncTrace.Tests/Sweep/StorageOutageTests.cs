using System.Net;
using System.Net.Sockets;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Sweep;

/// <summary>Storage that cannot be reached mid-request is the service being unavailable (503, retry), not a bug (500).</summary>
public sealed class StorageOutageTests : IClassFixture<StorageOutageTests.UnreachableStorageApp>
{
    private readonly FuncTraceApp _app;

    public StorageOutageTests(UnreachableStorageApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _app = app.App;
    }

    public sealed class UnreachableStorageApp : IDisposable
    {
        public FuncTraceApp App { get; } = FuncTraceApp.WithSettings(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Unreachable(),
            ["FuncTrace:Worker:Enabled"] = "false",
        });

        public void Dispose() => App.Dispose();

        private static string Unreachable()
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            var endpoint = $"http://127.0.0.1:{port}/devstoreaccount1";
            return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Domain.Storage.StorageAccount.DevelopmentAccountKey};" +
                   $"BlobEndpoint={endpoint};QueueEndpoint={endpoint};TableEndpoint={endpoint};";
        }
    }

    [Fact]
    public async Task AReadWhileStorageIsDownIs503ServiceUnavailableWithoutInternals()
    {
        using var admin = _app.AdminClient();

        using var response = await admin.GetAsync("/api/admin/keys?tenant=acme");

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        Assert.DoesNotContain("127.0.0.1", envelope.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATenantKeyThatCannotBeCheckedWhileStorageIsDownIs503NotA401()
    {
        using var client = _app.ClientWithKey("ftk_some-tenant-key");

        using var response = await client.GetAsync("/api/events");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
    }

    [Fact]
    public async Task TheExternalFaceAnswersAStorageOutageInItsOwnEnvelope()
    {
        using var client = _app.ClientWithKey("ftk_some-tenant-key");

        using var response = await client.PostAsync("/api/external/trace/feedback", TenantClients.Json("""{"traceId": "t", "value": 1}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Null(SweepRunner.ExternalEnvelopeProblem(await response.Content.ReadAsStringAsync()));
    }
}
