using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Queues;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Worker;

/// <summary>A <see cref="FuncTraceApp"/> with one test queue handler registered the way a feature registers its own.</summary>
public sealed class WorkerApp : IDisposable
{
    /// <summary>Quick retries and polls, so tests wait seconds rather than minutes.</summary>
    public static readonly IReadOnlyDictionary<string, string?> FastSettings = new Dictionary<string, string?>
    {
        ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:01",
        ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
    };

    private readonly FuncTraceApp _app;

    public WorkerApp(IQueueMessageHandler handler, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(FastSettings);
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }
        _app = FuncTraceApp.WithSettings(all);
        Factory = _app.WithWebHostBuilder(web => web.ConfigureServices(services => services.AddSingleton<IQueueMessageHandler>(handler)));
        Handler = handler;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public IQueueMessageHandler Handler { get; }

    public StorageCatalog Storage => Factory.Services.GetRequiredService<StorageCatalog>();

    public QueueClient Queue => Storage.Queue(Handler.QueueName);

    public QueueClient PoisonQueue => Storage.Queue(StorageNames.PoisonQueue(Handler.QueueName));

    /// <summary>Starts the host (and its listener) and waits until its queues exist.</summary>
    public async Task StartAsync() => await Eventually.HoldsAsync("the app created its queues", async () =>
    {
        try
        {
            await PoisonQueue.GetApproximateMessageCountAsync();
            return true;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    });

    public static string NewQueueName() => TestStorage.UniqueName("w")[..20];

    public void Dispose() => _app.Dispose();
}
