using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Feedback;

/// <summary>A claimed review: the event and until when the claimant holds it.</summary>
public sealed record ReviewClaim(EventRecord Event, DateTimeOffset LeaseExpiresAt);

/// <summary>
/// The queue of events awaiting a verdict: the <c>p|</c> rows of the tenant's partition, oldest first.
/// Claims are leases written with the row's ETag, so of two reviewers racing for one row exactly one wins;
/// the loser moves on to the next row.
/// </summary>
public sealed class ReviewQueueService(StorageCatalog storage, EventService events, EventOptions options, TimeProvider time)
{
    private const int ClaimCandidates = 25;

    // Each read is bounded (RowRange); so is the number of reads, so a queue where everything is held costs
    // a claim a few reads, not a scan of the whole queue.
    private const int MaxClaimReads = 4;
    private readonly TableClient _table = storage.Table(StorageNames.EventsTable);

    public async Task<EventPage> ListAsync(string tenant, EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (from, to) = EventService.TimeRange(EventKeys.Pending, query.From, query.To, descending: false);
        var page = await RowRange.ReadAsync(_table, tenant, from, to, PropertyFilter(query), query.Limit, query.Cursor, cancellationToken).ConfigureAwait(false);
        return new EventPage(await events.ReadAllAsync(page.Rows, cancellationToken).ConfigureAwait(false), page.NextCursor);
    }

    /// <summary>Leases the oldest unheld pending event to <paramref name="reviewer"/>; null when none is free.</summary>
    public async Task<ReviewClaim?> ClaimAsync(string tenant, string reviewer, EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var now = time.GetUtcNow();
        var leaseUntil = now.AddSeconds(options.ReviewLeaseSeconds);
        var (from, to) = EventService.TimeRange(EventKeys.Pending, query.From, query.To, descending: false);
        var free = TableFilter.And(PropertyFilter(query), TableFilter.Create($"LeaseUntil lt {now}"));
        string? cursor = null;
        var reads = 0;
        do
        {
            var page = await RowRange.ReadAsync(_table, tenant, from, to, free, ClaimCandidates, cursor, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                var lease = new TableEntity(tenant, row.RowKey) { { "LeaseOwner", reviewer }, { "LeaseUntil", leaseUntil } };
                try
                {
                    await _table.UpdateEntityAsync(lease, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                }
                catch (StorageConflictException)
                {
                    continue;
                }
                catch (Azure.RequestFailedException ex) when (ex.Status == 404)
                {
                    continue;
                }
                var claimed = await events.ReadAllAsync([row], cancellationToken).ConfigureAwait(false);
                return new ReviewClaim(claimed[0], leaseUntil);
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null && ++reads < MaxClaimReads);
        return null;
    }

    private static string? PropertyFilter(EventQuery query) => TableFilter.And(
        query.ConversationId is null ? null : TableFilter.Create($"ConversationId eq {query.ConversationId}"),
        query.EventType is null ? null : TableFilter.Create($"EventType eq {query.EventType}"));
}
