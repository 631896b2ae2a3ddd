using Azure;
using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;

namespace FuncTrace.Domain.Status;

/// <summary>What <c>/api/status</c> and <c>/api/observability/metrics</c> report: the tenant's counters and the queues' depth.</summary>
public sealed record StatusSnapshot(TenantCounts Counts, IReadOnlyDictionary<string, long> QueueDepths);

/// <summary>
/// Cheap to ask: the counter rows (one short range) and each queue's approximate message count (one request per queue).
/// </summary>
public sealed class StatusService(TenantCounters counters, StorageCatalog storage, IEnumerable<IQueueMessageHandler> handlers)
{
    public async Task<StatusSnapshot> ReadAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var counts = await counters.ReadAsync(tenant, cancellationToken).ConfigureAwait(false);
        var depths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var queue in handlers.SelectMany(h => new[] { h.QueueName, StorageNames.PoisonQueue(h.QueueName) }).Distinct(StringComparer.Ordinal))
        {
            depths[queue] = await DepthAsync(queue, cancellationToken).ConfigureAwait(false);
        }
        return new StatusSnapshot(counts, depths);
    }

    private async Task<long> DepthAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            return await storage.Queue(queue).GetApproximateMessageCountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Not created yet (the app creates its queues at start, in the background): nothing waits in it.
            return 0;
        }
    }
}
