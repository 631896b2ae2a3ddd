using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// A storage endpoint on loopback that answers as a test scripts it, for the behaviours Azurite cannot be made to
/// show on cue (throttling, server errors, a scan that keeps finding nothing). Clients reach it through the real pipeline.
/// </summary>
public sealed class ScriptedStorageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedStorageServer(WebApplication app) => _app = app;

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

    /// <summary>A table client signed with the development key, as a client of the real service would be.</summary>
    public TableClient Table(string name)
    {
        var endpoint = new Uri(_app.Urls.Single() + "/devstoreaccount1");
        var account = new StorageAccount(endpoint, endpoint, endpoint, StorageCredential.FromSharedKey(StorageAccount.DevelopmentAccountName, StorageAccount.DevelopmentAccountKey));
        return new TableClient(account, name);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
