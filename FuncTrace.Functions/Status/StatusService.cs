using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncTrace.Domain;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Status;

/// <summary>The counts an operator watches for one tenant, as the views have them.</summary>
public sealed record TenantCounts(long EventsIngested, long FeedbackGiven, long PendingReviews, long JobsCreated);

/// <summary>A queue of the app (named without the deployment's prefix) and about how many messages it holds, hidden ones included.</summary>
public sealed record QueueDepth(string Name, long ApproximateMessages);

/// <summary>
/// Cheap to ask: the tenant's counter rows (<c>n</c>, one point read per activity partition, summed) and one
/// approximate-count request per queue of the app.
/// </summary>
public sealed class StatusService(TableServiceClient tables, QueueServiceClient queues, StorageNames names)
{
    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));

    public async Task<TenantCounts> CountsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var rows = (await Task.WhenAll(ViewKeys.ActivityPartitions(tenant).Select(partition =>
                _views.GetEntityIfExistsAsync<TableEntity>(partition, ViewKeys.Counters, cancellationToken: cancellationToken))))
            .Select(r => r.ValueOrNull())
            .OfType<TableEntity>()
            .ToList();
        return new TenantCounts(
            Saturating.Sum(rows, r => r.GetInt64("Events") ?? 0),
            Saturating.Sum(rows, r => r.GetInt64("Feedback") ?? 0),
            // A verdict lowers the count in the partition of the judged event's slot, which may be read before it rose.
            Math.Max(0, Saturating.Sum(rows, r => r.GetInt64("PendingReviews") ?? 0)),
            Saturating.Sum(rows, r => r.GetInt64("Jobs") ?? 0));
    }

    /// <summary>Every queue the app's functions listen to, the poison queues among them.</summary>
    public async Task<IReadOnlyList<QueueDepth>> QueueDepthsAsync(CancellationToken cancellationToken = default)
    {
        var queueNames = StorageNames.Queues;
        var depths = await Task.WhenAll(queueNames.Select(q => DepthAsync(q, cancellationToken)));
        return queueNames.Select((q, i) => new QueueDepth(q, depths[i])).ToList();
    }

    private async Task<long> DepthAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            return (await queues.GetQueueClient(names.Queue(queue)).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Not created yet (the app creates its queues at start, in the background): nothing waits in it.
            return 0;
        }
    }
}
