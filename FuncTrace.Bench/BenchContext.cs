using Azure.Data.Tables;
using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;
using FuncTrace.FakeOpenAi;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Bench;

/// <summary>What every scenario shares: settings, the one HTTP client, storage, the judge and the results.</summary>
public sealed class BenchContext(BenchOptions options, HttpClient http, TableServiceClient tables, FakeOpenAiServer judge, ResultTable results)
{
    public const string AdminKey = "bench-admin-key";

    public BenchOptions Options => options;

    /// <summary>One client for every request the bench sends to the app.</summary>
    public HttpClient Http => http;

    public TableServiceClient Tables => tables;

    public FakeOpenAiServer Judge => judge;

    public ResultTable Results => results;

    /// <summary>A storage prefix no earlier run used, so every run starts from empty tables.</summary>
    public string Prefix { get; } = "bench" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)[^8..];

    public StorageNames Names => new(Prefix);

    public TimeSpan Duration => TimeSpan.FromSeconds(options.Seconds);

    /// <summary>Starts the app with the bench's storage, prefix, admin key and judge, plus <paramref name="overrides"/>; waits until healthy.</summary>
    public async Task<AppProcess> StartAppAsync(params (string Name, string Value)[] overrides)
    {
        var app = AppProcess.Start(options.AppExecutable, AppSettings(overrides), BenchOptions.AppLog);
        await app.WaitHealthyAsync(http, TimeSpan.FromSeconds(60));
        return app;
    }

    public Dictionary<string, string> AppSettings(params (string Name, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = options.StorageConnection,
            ["FuncTrace__StoragePrefix"] = Prefix,
            ["FuncTrace__AdminApiKey"] = AdminKey,
            ["FuncTrace__Llm__Endpoint"] = judge.Endpoint,
            ["FuncTrace__Llm__Model"] = FakeOpenAiServer.Model,
            ["FuncTrace__Llm__ApiKey"] = FakeOpenAiServer.ApiKey,
            // The bench's own load would trip the per-key limit meant for one client.
            ["FuncTrace__RateLimits__PerKeyPerMinute"] = "0",
        };
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }
        return settings;
    }
}
