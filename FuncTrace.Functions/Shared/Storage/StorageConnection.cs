using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;

namespace FuncTrace.Functions.Shared.Storage;

/// <summary>
/// The storage account from <c>AzureWebJobsStorage</c>, read in every form the Functions host accepts for its own
/// queue trigger: a connection string (or <c>UseDevelopmentStorage=true</c>), or an identity-based connection —
/// <c>__accountName</c>, or <c>__blobServiceUri</c> / <c>__queueServiceUri</c> / <c>__tableServiceUri</c> — with
/// <c>__credential=managedidentity</c> and <c>__clientId</c> read by <see cref="AzureComponentFactory"/>, as the host reads them.
/// The three service clients are built once from it.
/// </summary>
public sealed class StorageConnection
{
    public const string Setting = "AzureWebJobsStorage";

    private readonly string? _connectionString;
    private readonly Uri? _blob;
    private readonly Uri? _queue;
    private readonly Uri? _table;
    private readonly TokenCredential? _credential;

    private StorageConnection(string connectionString) => _connectionString = connectionString;

    private StorageConnection(Uri blob, Uri queue, Uri table, TokenCredential credential)
    {
        (_blob, _queue, _table, _credential) = (blob, queue, table, credential);
    }

    /// <summary>How it authenticates, for <c>/api/config</c> and logs: never the secret itself.</summary>
    public string Description => _connectionString is not null ? "connection string" : $"identity-based ({_table!.Host})";

    public static StorageConnection FromConfiguration(IConfiguration configuration, AzureComponentFactory factory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(factory);
        var section = configuration.GetSection(Setting);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection(section.Value);
        }
        var accountName = Blank(section["accountName"]);
        var blob = Blank(section["blobServiceUri"]);
        var queue = Blank(section["queueServiceUri"]);
        var table = Blank(section["tableServiceUri"]);
        if (accountName is null && (blob is null || queue is null || table is null))
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{Setting}' to a connection string (or 'UseDevelopmentStorage=true'), " +
                $"or '{Setting}__accountName', or all of '{Setting}__blobServiceUri', '__queueServiceUri' and '__tableServiceUri'.");
        }
        return new StorageConnection(
            Endpoint(blob, accountName, "blob", "blobServiceUri"),
            Endpoint(queue, accountName, "queue", "queueServiceUri"),
            Endpoint(table, accountName, "table", "tableServiceUri"),
            factory.CreateTokenCredential(section));
    }

    public TableServiceClient CreateTableServiceClient()
    {
        var options = new TableClientOptions();
        Configure(options.Retry);
        return _connectionString is not null ? new TableServiceClient(_connectionString, options) : new TableServiceClient(_table!, _credential!, options);
    }

    public BlobServiceClient CreateBlobServiceClient()
    {
        var options = new BlobClientOptions();
        Configure(options.Retry);
        return _connectionString is not null ? new BlobServiceClient(_connectionString, options) : new BlobServiceClient(_blob!, _credential!, options);
    }

    /// <summary>Messages are base64, the queue trigger's default encoding; <paramref name="configure"/> adjusts the options (the local host's listener does).</summary>
    public QueueServiceClient CreateQueueServiceClient(Action<QueueClientOptions>? configure = null)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        Configure(options.Retry);
        configure?.Invoke(options);
        return _connectionString is not null ? new QueueServiceClient(_connectionString, options) : new QueueServiceClient(_queue!, _credential!, options);
    }

    /// <summary>
    /// A few quick retries, and a bound on each try: a storage outage becomes a 503 within seconds rather than a hung
    /// request, and no write outlives the intent that covers it (see the ingest journal).
    /// </summary>
    private static void Configure(RetryOptions retry)
    {
        retry.MaxRetries = 3;
        retry.Mode = RetryMode.Exponential;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
        retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }

    private static Uri Endpoint(string? explicitUri, string? accountName, string service, string setting)
    {
        if (explicitUri is null)
        {
            return new Uri($"https://{accountName}.{service}.core.windows.net");
        }
        return Uri.TryCreate(explicitUri, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new InvalidOperationException($"'{Setting}__{setting}' is not an absolute http(s) URL.");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
