using System.Net;
using Azure.Identity;
using FuncTrace.Domain.Storage;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Deploy;

/// <summary>
/// The app with the storage settings Bicep gives it: identity-based, no connection string. The endpoints are plain
/// http on a closed loopback port, so no token is ever requested (Azure.Core refuses bearer tokens over http) and
/// nothing leaves the machine.
/// </summary>
public sealed class IdentityStorageTests : IDisposable
{
    private const string ClientId = "00000000-0000-0000-0000-0000000000c1";

    private static readonly int ClosedPort = FindClosedPort();

    private readonly FuncTraceApp _app = FuncTraceApp.WithSettings(new Dictionary<string, string?>
    {
        // Environment variables reach configuration with ':' for '__', as in the Function App.
        ["AzureWebJobsStorage"] = string.Empty,
        ["AzureWebJobsStorage:credential"] = "managedidentity",
        ["AzureWebJobsStorage:clientId"] = ClientId,
        ["AzureWebJobsStorage:blobServiceUri"] = Endpoint("blob"),
        ["AzureWebJobsStorage:queueServiceUri"] = Endpoint("queue"),
        ["AzureWebJobsStorage:tableServiceUri"] = Endpoint("table"),
    });

    public void Dispose() => _app.Dispose();

    [Fact]
    public void TheAppTakesItsEndpointsAndAManagedIdentityCredentialFromTheIdentitySettings()
    {
        var account = _app.Services.GetRequiredService<StorageCatalog>().Account;

        Assert.Equal(new Uri(Endpoint("blob") + "/"), account.BlobEndpoint);
        Assert.Equal(new Uri(Endpoint("queue") + "/"), account.QueueEndpoint);
        Assert.Equal(new Uri(Endpoint("table") + "/"), account.TableEndpoint);
        Assert.IsType<ManagedIdentityCredential>(account.Credential.Token);
        Assert.Null(account.Credential.AccountKey);
        Assert.Null(account.Credential.SharedAccessSignature);
    }

    [Fact]
    public async Task TheAppStartsAndHealthAnswers503DegradedWhileStorageCannotBeReached()
    {
        using var client = _app.ClientWithKey(null);

        using var response = await client.GetAsync("/api/health");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
    }

    private static string Endpoint(string service) => $"http://127.0.0.1:{ClosedPort}/{service}";

    private static int FindClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
