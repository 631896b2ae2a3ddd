using System.Text.RegularExpressions;
using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;

namespace FuncTrace.Functions.Workers;

/// <summary>
/// The registered <see cref="IQueueMessageHandler"/>s (a feature adds one with
/// <c>services.AddSingleton&lt;IQueueMessageHandler, MyHandler&gt;()</c>), checked once at start: function names
/// unique and routable, one handler per queue, queue names valid with the storage prefix.
/// </summary>
public sealed partial class QueueHandlers
{
    /// <summary>The queue trigger's binding name: the key of the message in the host's <c>Data</c> object.</summary>
    public const string BindingName = "message";

    public QueueHandlers(IEnumerable<IQueueMessageHandler> handlers, StorageCatalog storage)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(storage);
        All = [.. handlers];
        foreach (var handler in All)
        {
            if (!FunctionName().IsMatch(handler.FunctionName) || string.Equals(handler.FunctionName, "api", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"Queue handler {handler.GetType().Name} has function name '{handler.FunctionName}': use a letter then letters, digits, '_' or '-', and not 'api'.");
            }
            // Creating the clients checks the names with the prefix now, not on the first message.
            _ = storage.Queue(handler.QueueName);
            _ = storage.Queue(StorageNames.PoisonQueue(handler.QueueName));
        }
        ThrowOnDuplicates(All.Select(h => h.FunctionName), StringComparer.OrdinalIgnoreCase, "function name");
        ThrowOnDuplicates(All.Select(h => h.QueueName), StringComparer.Ordinal, "queue");
    }

    public IReadOnlyList<IQueueMessageHandler> All { get; }

    /// <summary>One entry per handler, for packaging to write each function's <c>function.json</c>.</summary>
    public IReadOnlyList<QueueFunction> Functions => [.. All.Select(h => new QueueFunction(h.FunctionName, h.QueueName, BindingName))];

    /// <summary>Each handler's queue and its poison queue: storage creates them at start.</summary>
    public IEnumerable<string> StorageQueues => All.SelectMany(h => new[] { h.QueueName, StorageNames.PoisonQueue(h.QueueName) }).Distinct(StringComparer.Ordinal);

    private static void ThrowOnDuplicates(IEnumerable<string> names, StringComparer comparer, string what)
    {
        var duplicate = names.GroupBy(n => n, comparer).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"More than one queue handler has the {what} '{duplicate.Key}'.");
        }
    }

    // Azure Functions' own rule for function names.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionName();
}
