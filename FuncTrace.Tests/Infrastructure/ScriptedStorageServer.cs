using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// A storage endpoint on loopback that answers every request as a test scripts it, for what Azurite cannot be made to
/// do on cue (throttling, server errors, a garbled answer). The app reaches it through the real SDK pipeline.
/// </summary>
public sealed class ScriptedStorageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedStorageServer(WebApplication app) => _app = app;

    /// <summary>A connection string whose three endpoints are this server, signed with the development key.</summary>
    public string ConnectionString
    {
        get
        {
            var endpoint = _app.Urls.Single() + "/devstoreaccount1";
            return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={TestStorage.DevelopmentAccountKey};" +
                   $"BlobEndpoint={endpoint};QueueEndpoint={endpoint};TableEndpoint={endpoint};";
        }
    }

    public static async Task<ScriptedStorageServer> StartAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.Run(answer);
        await app.StartAsync();
        return new ScriptedStorageServer(app);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
