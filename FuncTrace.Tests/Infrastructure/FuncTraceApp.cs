using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.LocalHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// The local host in the test process, serving the real function classes over real HTTP on a free loopback port, on
/// the real Azurite, with a storage prefix of its own so its tables, queues and containers are its alone. Settings can
/// be changed per fixture.
/// </summary>
public class FuncTraceApp : IAsyncLifetime, IAsyncDisposable, IDisposable
{
    public const string AdminKey = "test-bootstrap-admin-key";

    private readonly Dictionary<string, string?> _settings;
    private readonly FunctionCatalog? _catalog;
    private readonly Action<IServiceCollection>? _services;
    private WebApplication? _app;

    public FuncTraceApp()
        : this(new Dictionary<string, string?>())
    {
    }

    protected FuncTraceApp(IDictionary<string, string?> settings, FunctionCatalog? catalog = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = TestStorage.ConnectionString,
            ["FuncTrace:AdminApiKey"] = AdminKey,
            ["FuncTrace:StoragePrefix"] = TestStorage.NewPrefix(),
            ["urls"] = "http://127.0.0.1:0",
        };
        foreach (var (name, value) in settings)
        {
            _settings[name] = value;
        }
        StoragePrefix = _settings["FuncTrace:StoragePrefix"] ?? string.Empty;
        (_catalog, _services) = (catalog, services);
    }

    /// <summary>An app with some settings changed (a smaller limit, unreachable storage, ...); start it with <see cref="StartAsync"/>.</summary>
    public static FuncTraceApp WithSettings(IDictionary<string, string?> settings) => new(settings);

    /// <summary>The local host serving another catalog of functions (the tests' own), with extra services they take.</summary>
    public static FuncTraceApp WithFunctions(FunctionCatalog catalog, Action<IServiceCollection> services, IDictionary<string, string?>? settings = null) =>
        new(settings ?? new Dictionary<string, string?>(), catalog, services);

    public string StoragePrefix { get; }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public IServiceProvider Services => (_app ?? throw new InvalidOperationException("Start the app first.")).Services;

    public StorageNames Names => Services.GetRequiredService<StorageNames>();

    public TableClient Table(string name) => Services.GetRequiredService<TableServiceClient>().GetTableClient(Names.Table(name));

    public BlobContainerClient Container(string name) => Services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(Names.Container(name));

    public QueueClient Queue(string name) => Services.GetRequiredService<QueueServiceClient>().GetQueueClient(Names.Queue(name));

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        var app = LocalFunctionsHost.Build([], new LocalHostOverrides(_settings, _catalog, _services));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        _app = app;
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address + "/");
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public void Dispose()
    {
        DisposeAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(100) };

    /// <summary>A client that sends <paramref name="key"/> as X-API-Key (none when null).</summary>
    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }
        return client;
    }

    public HttpClient AdminClient() => ClientWithKey(AdminKey);

    /// <summary>Creates a key for <paramref name="tenant"/> through the API and returns it.</summary>
    public async Task<string> CreateKeyAsync(string tenant, params string[] roles)
    {
        using var admin = AdminClient();
        using var response = await admin.PostAsJsonAsync("/api/admin/keys", new { tenant, roles, name = "test" });
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("key").GetString()!;
    }

    public static string NewTenant() => "tenant-" + Guid.NewGuid().ToString("N")[..8];
}
