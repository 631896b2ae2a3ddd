using System.Collections.Concurrent;
using FuncTrace.Domain.Storage.Blobs;
using FuncTrace.Domain.Storage.Queues;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Storage;

/// <summary>
/// The app's tables, containers and queues, named with one prefix so several deployments (or test runs)
/// can share an account. Clients are created once and reused: they are thread-safe.
/// </summary>
public sealed class StorageCatalog(StorageAccount account, string prefix, StorageClientOptions? options = null)
{
    private readonly StorageClientOptions _options = options ?? new StorageClientOptions();
    private readonly ConcurrentDictionary<string, TableClient> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BlobContainerClient> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QueueClient> _queues = new(StringComparer.Ordinal);

    public StorageAccount Account { get; } = account;
    public string Prefix { get; } = ValidatePrefix(prefix);

    public TableClient Table(string name) => _tables.GetOrAdd(name, n => new TableClient(Account, Prefix + n, _options));

    public BlobContainerClient Container(string name) => _containers.GetOrAdd(name, n => new BlobContainerClient(Account, Prefix + "-" + n, _options));

    public QueueClient Queue(string name) => _queues.GetOrAdd(name, n => new QueueClient(Account, Prefix + "-" + n, _options));

    /// <summary>
    /// Creates everything the app uses, plus <paramref name="queues"/> (the queue handlers' queues, known only
    /// once the handlers are registered); safe to run on every start.
    /// </summary>
    public async Task CreateAllAsync(IEnumerable<string> queues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        // At once rather than one by one: this runs before the app takes its first request, so it is cold-start time.
        await Task.WhenAll(
            StorageNames.Tables.Select(table => Table(table).CreateIfNotExistsAsync(cancellationToken))
                .Concat(StorageNames.Containers.Select(container => Container(container).CreateIfNotExistsAsync(cancellationToken)))
                .Concat(queues.Select(queue => Queue(queue).CreateIfNotExistsAsync(cancellationToken)))).ConfigureAwait(false);
    }

    private static string ValidatePrefix(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 20 || !char.IsAsciiLetterLower(prefix[0]) || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            throw new StorageConfigurationException($"Storage prefix '{prefix}' must be 1-20 lowercase letters and digits, starting with a letter (it begins table, queue and container names).");
        }
        return prefix;
    }
}
