using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Feedback;

/// <summary>
/// The review queue: events that need a verdict and have none, oldest first. Its entries are the slots' review buckets
/// (<c>q|{slot}</c>, in slot order, which is the order events were stored), merged over the tenant's activity partitions;
/// each event is read to serve it, so one judged a moment ago (its bucket not yet updated) is skipped. A claim leases
/// the first free entry (<see cref="ReviewLeases"/>); under contention it tries others among the first few, and it
/// answers "nothing to claim" only after reading the whole queue.
/// </summary>
public sealed class ReviewQueue(TableServiceClient tables, StorageNames names, EventReader events, ReviewLeases leases, IOptions<EventOptions> options, TimeProvider time)
{
    /// <summary>Bucket rows one request reads at most before it answers with a cursor.</summary>
    public const int MaxBucketRowsPerRequest = 400;

    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));
    private readonly TimeSpan _leaseTime = TimeSpan.FromSeconds(options.Value.ReviewLeaseSeconds);

    public sealed record Filter(string? ConversationId, string? EventType, DateTimeOffset? From, DateTimeOffset? To);

    /// <summary>Pending events, oldest first; a page may be short (judged entries skipped) while its cursor is set.</summary>
    public async Task<EventPage> ListAsync(string tenant, Filter filter, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var (candidates, next) = await CandidatesAsync(tenant, filter, limit, QueueCursor.Decode(cursor), cancellationToken);
        var rows = await Task.WhenAll(candidates.Select(c => events.GetRowAsync(c.Item.EventPartition(tenant), c.Item.SortKey, cancellationToken)));
        var pending = rows.Where(r => r is not null && r.GetString("ReviewStatus") == EventRows.ReviewPending).Select(r => r!).ToList();
        return new EventPage(await events.ReadAllAsync(pending, cancellationToken), next);
    }

    public async Task<ReviewCounts> CountsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var today = ViewKeys.VerdictsOn(time.GetUtcNow());
        var rows = await Task.WhenAll(ViewKeys.ActivityPartitions(tenant).SelectMany(partition => new[]
        {
            _views.GetEntityIfExistsAsync<TableEntity>(partition, ViewKeys.Counters, cancellationToken: cancellationToken),
            _views.GetEntityIfExistsAsync<TableEntity>(partition, today, cancellationToken: cancellationToken),
        }));
        var values = rows.Select(r => r.ValueOrNull()).Where(r => r is not null).Select(r => r!).ToList();
        return new ReviewCounts(
            Math.Max(0, values.Sum(r => r.GetInt64("PendingReviews") ?? 0)),
            values.Sum(r => r.GetInt64("Verdicts") ?? 0));
    }

    /// <summary>Leases the oldest pending event nobody holds to <paramref name="reviewer"/>; null when there is none.</summary>
    public async Task<ReviewClaim?> ClaimAsync(string tenant, string reviewer, Filter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        QueuePosition? position = null;
        var contended = false;
        for (var round = 0; round < 200; round++)
        {
            var (candidates, next) = await CandidatesAsync(tenant, filter, 64, position, cancellationToken);
            var held = new Dictionary<string, Dictionary<string, ReviewLease>>(StringComparer.Ordinal);
            foreach (var partition in candidates.Select(c => ReviewLeases.PartitionOf(tenant, c.Slot)).Distinct())
            {
                held[partition] = await leases.InPartitionAsync(partition, cancellationToken);
            }
            var now = time.GetUtcNow();
            var free = candidates
                .Select(c => (Candidate: c, Partition: ReviewLeases.PartitionOf(tenant, c.Slot)))
                .Where(c => !held[c.Partition].TryGetValue(c.Candidate.Item.SortKey, out var lease) || lease.ExpiresAt <= now)
                .ToList();
            // Claimers racing for the head of the queue spread out over its first few entries once they have collided.
            if (contended && free.Count > 1)
            {
                var spread = Math.Min(free.Count, 8);
                var first = Random.Shared.Next(spread);
                (free[0], free[first]) = (free[first], free[0]);
            }
            foreach (var (candidate, partition) in free)
            {
                held[partition].TryGetValue(candidate.Item.SortKey, out var expired);
                if (await leases.TryTakeAsync(partition, candidate.Item.SortKey, reviewer, expired, now + _leaseTime, cancellationToken) is not { } until)
                {
                    contended = true;
                    break;
                }
                var row = await events.GetRowAsync(candidate.Item.EventPartition(tenant), candidate.Item.SortKey, cancellationToken);
                if (row is not null && row.GetString("ReviewStatus") == EventRows.ReviewPending)
                {
                    return new ReviewClaim(await events.ReadAsync(row, cancellationToken), until, reviewer);
                }
                await leases.ReleaseAsync(partition, candidate.Item.SortKey, reviewer, cancellationToken);
            }
            if (!contended)
            {
                if (next is null)
                {
                    return null;
                }
                position = QueueCursor.Decode(next);
            }
            contended = contended && free.Count > 0;
        }
        throw new FuncTraceException(ErrorCode.ServiceUnavailable, "Too many reviewers are claiming at once; retry shortly.");
    }

    /// <summary>Gives up a claim (skip): the event goes back to the queue at once.</summary>
    public async Task ReleaseAsync(string tenant, string reviewer, string eventId, CancellationToken cancellationToken = default)
    {
        var target = await events.GetAsync(tenant, eventId, cancellationToken) ?? throw FuncTraceException.NotFound($"No event with id '{eventId}'.");
        if (target.Slot is null || !await leases.ReleaseAsync(ReviewLeases.PartitionOf(tenant, target.Slot), target.SortKey, reviewer, cancellationToken))
        {
            throw FuncTraceException.Conflict($"This key holds no lease on event '{eventId}'.");
        }
    }

    internal sealed record Candidate(string Slot, BucketItem Item);

    internal readonly record struct QueuePosition(string Slot, long Ticks, string SortKey);

    /// <summary>
    /// Entries after <paramref name="position"/>, oldest first: the activity partitions' review buckets merged by slot, each
    /// slot's items in time order. Returns the cursor of the last entry when more may follow.
    /// </summary>
    private async Task<(List<Candidate> Candidates, string? Next)> CandidatesAsync(string tenant, Filter filter, int limit, QueuePosition? position, CancellationToken cancellationToken)
    {
        var start = ViewKeys.ReviewPrefix + (position?.Slot ?? string.Empty);
        var heads = ViewKeys.ActivityPartitions(tenant)
            .Select(partition => _views.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {start} and RowKey lt {"q}"}"), maxPerPage: 100, cancellationToken: cancellationToken)
                .GetAsyncEnumerator(cancellationToken))
            .ToList();
        try
        {
            var live = new List<IAsyncEnumerator<TableEntity>>();
            foreach (var head in heads)
            {
                if (await head.MoveNextAsync())
                {
                    live.Add(head);
                }
            }
            var found = new List<Candidate>();
            var rowsRead = 0;
            while (live.Count > 0 && found.Count <= limit && rowsRead < MaxBucketRowsPerRequest)
            {
                var head = live.MinBy(h => SlotOf(h.Current), StringComparer.Ordinal)!;
                var slot = SlotOf(head.Current);
                var items = new List<BucketItem>();
                do
                {
                    items.AddRange(BucketItem.Read(head.Current.GetString(BucketItem.ItemsProperty)));
                    rowsRead++;
                    if (!await head.MoveNextAsync())
                    {
                        live.Remove(head);
                        break;
                    }
                }
                while (SlotOf(head.Current) == slot);
                found.AddRange(items
                    .Where(i => Matches(i, filter) && After(slot, i, position))
                    .OrderBy(i => i.Ticks).ThenBy(i => i.SortKey, StringComparer.Ordinal)
                    .Select(i => new Candidate(slot, i)));
            }
            if (found.Count > limit)
            {
                var page = found.Take(limit).ToList();
                return (page, QueueCursor.Encode(page[^1]));
            }
            return (found, live.Count > 0 && found.Count > 0 ? QueueCursor.Encode(found[^1]) : null);
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.DisposeAsync();
            }
        }
    }

    private static string SlotOf(TableEntity row) => row.RowKey[ViewKeys.ReviewPrefix.Length..row.RowKey.LastIndexOf('|')];

    private static bool Matches(BucketItem item, Filter filter) =>
        (filter.ConversationId is null || item.Conversation == filter.ConversationId)
        && (filter.EventType is null || item.Type == filter.EventType)
        && (filter.From is null || item.Ticks >= filter.From.Value.UtcTicks)
        && (filter.To is null || item.Ticks <= filter.To.Value.UtcTicks);

    private static bool After(string slot, BucketItem item, QueuePosition? position)
    {
        if (position is not { } p)
        {
            return true;
        }
        var bySlot = string.CompareOrdinal(slot, p.Slot);
        if (bySlot != 0)
        {
            return bySlot > 0;
        }
        return item.Ticks != p.Ticks ? item.Ticks > p.Ticks : string.CompareOrdinal(item.SortKey, p.SortKey) > 0;
    }

    /// <summary>Where a page of the queue ended: the slot, time and sort key of its last entry.</summary>
    private static class QueueCursor
    {
        public static string Encode(Candidate last) =>
            Base64Url.Encode(JsonSerializer.SerializeToUtf8Bytes(new QueuePosition(last.Slot, last.Item.Ticks, last.Item.SortKey)));

        public static QueuePosition? Decode(string? cursor)
        {
            if (cursor is null)
            {
                return null;
            }
            try
            {
                var position = Base64Url.TryDecode(cursor) is { } bytes ? JsonSerializer.Deserialize<QueuePosition>(bytes) : default;
                if (position.Slot is { Length: > 0 and <= 64 } && position.SortKey is { Length: > 0 and <= 64 } && !position.Slot.Contains('|', StringComparison.Ordinal))
                {
                    return position;
                }
            }
            catch (JsonException)
            {
                // Falls through to the 400.
            }
            throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
        }
    }
}
