using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Domain.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// The real host in the test process, on the real Azurite, with its own storage prefix so its tables,
/// queues and containers are its alone. Settings can be overridden per fixture.
/// </summary>
public class FuncTraceApp : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-bootstrap-admin-key";

    private readonly Dictionary<string, string?> _settings;

    public FuncTraceApp()
        : this(new Dictionary<string, string?>())
    {
    }

    private FuncTraceApp(IDictionary<string, string?> settings)
    {
        StoragePrefix = "t" + Guid.NewGuid().ToString("N")[..10];
        _settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = TestStorage.ConnectionString,
            ["FuncTrace:AdminApiKey"] = AdminKey,
            ["FuncTrace:StoragePrefix"] = StoragePrefix,
        };
        foreach (var (name, value) in settings)
        {
            _settings[name] = value;
        }
    }

    /// <summary>An app with some settings changed (a smaller limit, unreachable storage, ...).</summary>
    public static FuncTraceApp WithSettings(IDictionary<string, string?> settings) => new(settings);

    public string StoragePrefix { get; }

    public StorageCatalog Storage => Services.GetRequiredService<StorageCatalog>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (name, value) in _settings)
        {
            builder.UseSetting(name, value);
        }
    }

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

    public static MediaTypeHeaderValue Json => new("application/json");
}
