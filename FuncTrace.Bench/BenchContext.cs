using FuncTrace.Bench.Infrastructure;
using FuncTrace.Bench.Report;
using FuncTrace.Domain.Storage;

namespace FuncTrace.Bench;

/// <summary>What every scenario shares: settings, the one HTTP client, storage, the judge and the results.</summary>
public sealed class BenchContext(BenchOptions options, HttpClient http, StorageAccount storage, JudgeServer judge, ResultTable results)
{
    public const string AdminKey = "bench-admin-key";

    public BenchOptions Options => options;

    /// <summary>One client for every request the bench sends, to the app and (as a transport) to Azurite.</summary>
    public HttpClient Http => http;

    public StorageAccount Storage => storage;

    public JudgeServer Judge => judge;

    public ResultTable Results => results;

    /// <summary>A storage prefix no earlier run used, so every run starts from empty tables.</summary>
    public string Prefix { get; } = "bench" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)[^8..];

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
            ["FuncTrace__Llm__Model"] = JudgeServer.Model,
            ["FuncTrace__Llm__ApiKey"] = JudgeServer.ApiKey,
        };
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }
        return settings;
    }

    public StorageClientOptions StorageOptions() => new() { Transport = new Azure.Core.Pipeline.HttpClientTransport(http) };
}
