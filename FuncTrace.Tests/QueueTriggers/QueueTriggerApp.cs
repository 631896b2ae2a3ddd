using Azure.Storage.Queues;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

using FuncTrace.Tests.TestFunctions;

namespace FuncTrace.Tests.QueueTriggers;

/// <summary>
/// The local host serving <see cref="TestQueueFunctions"/> with one test's <see cref="QueueScript"/>, on a storage prefix
/// of its own whose queues exist before it starts; retries and polls are quick so tests wait seconds, not minutes.
/// </summary>
public sealed class QueueTriggerApp : IAsyncDisposable
{
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(1);

    private QueueTriggerApp(FuncTraceApp app) => App = app;

    public FuncTraceApp App { get; }

    public string Prefix => App.StoragePrefix;

    public QueueClient Queue(string name = TestQueueFunctions.WorkQueue) => TestStorage.Queues().GetQueueClient(Prefix + "-" + name);

    public QueueClient Poison(string name = TestQueueFunctions.WorkQueue) => TestStorage.Queues().GetQueueClient(StorageNames.Poison(Prefix + "-" + name));

    /// <summary>Builds the app and creates its queues (not their poison queues: the host makes those when it needs one).</summary>
    public static async Task<QueueTriggerApp> CreateAsync(QueueScript script, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = VisibilityTimeout.ToString(),
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }
        var app = new QueueTriggerApp(FuncTraceApp.WithFunctions(TestCatalog.Catalog, s =>
        {
            s.AddSingleton(script);
            services?.Invoke(s);
        }, all));
        foreach (var queue in new[] { TestQueueFunctions.WorkQueue, TestQueueFunctions.TextQueue, TestQueueFunctions.BytesQueue })
        {
            await app.Queue(queue).CreateIfNotExistsAsync();
        }
        return app;
    }

    public static async Task<QueueTriggerApp> StartAsync(QueueScript script, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var app = await CreateAsync(script, settings, services);
        await app.App.StartAsync();
        return app;
    }

    /// <summary>Messages in <paramref name="queue"/>, hidden ones too (0 when it does not exist).</summary>
    public static async Task<int> CountAsync(QueueClient queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        try
        {
            return (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
