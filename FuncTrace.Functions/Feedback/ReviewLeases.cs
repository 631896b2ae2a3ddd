using Azure;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Feedback;

/// <summary>Who holds a pending event, until when.</summary>
public sealed record ReviewLease(string Reviewer, DateTimeOffset ExpiresAt, ETag ETag);

/// <summary>
/// Review leases: a row <c>l|{sort key}</c> beside the event's review-queue entry (in the activity partition of the
/// slot it was stored in). Taking one is an insert — or, once it has expired, a replace under its ETag — so two
/// reviewers can never hold the same event; its verdict's views work drops it.
/// </summary>
public sealed class ReviewLeases(TableServiceClient tables, StorageNames names)
{
    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));

    public static string PartitionOf(string tenant, string slot) => ViewKeys.ActivityPartition(tenant, ViewKeys.SlotShard(slot));

    public async Task<ReviewLease?> HolderAsync(string tenant, StoredEvent target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Slot is null ? null : await HolderAsync(PartitionOf(tenant, target.Slot), target.SortKey, cancellationToken);
    }

    public async Task<ReviewLease?> HolderAsync(string partition, string sortKey, CancellationToken cancellationToken)
    {
        var row = (await _views.GetEntityIfExistsAsync<TableEntity>(partition, ViewKeys.Lease(sortKey), cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? null : new ReviewLease(row.GetString("Reviewer"), row.GetDateTimeOffset("ExpiresAt") ?? default, row.ETag);
    }

    /// <summary>All leases of one activity partition: as many rows as events under review there right now.</summary>
    public async Task<Dictionary<string, ReviewLease>> InPartitionAsync(string partition, CancellationToken cancellationToken)
    {
        var leases = new Dictionary<string, ReviewLease>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {ViewKeys.LeasePrefix} and RowKey lt {"l}"}");
        await foreach (var row in _views.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            leases[row.RowKey[ViewKeys.LeasePrefix.Length..]] = new ReviewLease(row.GetString("Reviewer"), row.GetDateTimeOffset("ExpiresAt") ?? default, row.ETag);
        }
        return leases;
    }

    /// <summary>
    /// Takes the lease, or null when someone else got it first (it exists and has not expired, or changed under us). A lease
    /// row this attempt wrote itself (the storage client retried a write whose answer was lost) is taken.
    /// </summary>
    public async Task<DateTimeOffset?> TryTakeAsync(string partition, string sortKey, string reviewer, ReviewLease? expired, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var attempt = EventRows.NewAttempt();
        var row = new TableEntity(partition, ViewKeys.Lease(sortKey)) { ["Reviewer"] = reviewer, ["ExpiresAt"] = expiresAt, [EventRows.AttemptProperty] = attempt };
        try
        {
            if (expired is null)
            {
                await _views.AddEntityAsync(row, cancellationToken);
            }
            else
            {
                await _views.UpdateEntityAsync(row, expired.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            return expiresAt;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            var current = (await _views.GetEntityIfExistsAsync<TableEntity>(partition, row.RowKey, cancellationToken: cancellationToken)).ValueOrNull();
            return EventRows.WrittenBy(current, attempt) ? expiresAt : null;
        }
    }

    /// <summary>Gives a lease back; false when <paramref name="reviewer"/> does not hold it.</summary>
    public async Task<bool> ReleaseAsync(string partition, string sortKey, string reviewer, CancellationToken cancellationToken)
    {
        var lease = await HolderAsync(partition, sortKey, cancellationToken);
        if (lease is null || lease.Reviewer != reviewer)
        {
            return false;
        }
        try
        {
            await _views.DeleteEntityAsync(partition, ViewKeys.Lease(sortKey), lease.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }
}
