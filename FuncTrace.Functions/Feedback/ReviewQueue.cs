using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Feedback;

/// <summary>
/// The review queue: events that need a verdict and have none, oldest first. Its entries are the slots' review buckets
/// (<c>q|{slot}</c>, in slot order, which is the order events were stored), merged over the tenant's activity partitions;
/// each event is read to serve it, so one judged a moment ago (its bucket not yet updated) is skipped. A claim leases
/// the oldest free entry (<see cref="ReviewLeases"/>); once it has lost a race it takes a free one at random, so reviewers
/// claiming together spread over the queue instead of all colliding on its head, and it answers "nothing to claim" only
/// when it has found every entry of the whole queue held.
/// </summary>
public sealed class ReviewQueue(TableServiceClient tables, StorageNames names, EventReader events, ReviewLeases leases, IOptions<EventOptions> options, TimeProvider time)
{
    /// <summary>Bucket rows one request reads at most before it answers with a cursor.</summary>
    public const int MaxBucketRowsPerRequest = 400;

    /// <summary>Entries a claim considers at once.</summary>
    private const int ClaimPage = 256;

    /// <summary>Races a claim loses before it reads the leases again (others took what it still took for free).</summary>
    private const int LossesBeforeRefresh = 4;

    /// <summary>Reads of the leases one claim makes at most before it answers 503.</summary>
    private const int MaxLeaseReads = 100;

    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));
    private readonly TimeSpan _leaseTime = TimeSpan.FromSeconds(options.Value.ReviewLeaseSeconds);

    public sealed record Filter(string? ConversationId, string? EventType, DateTimeOffset? From, DateTimeOffset? To);

    /// <summary>Pending events, oldest first; a page may be short (judged entries skipped) while its cursor is set.</summary>
    public async Task<EventPage> ListAsync(string tenant, Filter filter, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var scope = ScopeOf(filter);
        var (candidates, next) = await CandidatesAsync(tenant, filter, limit, QueueCursor.Decode(cursor, scope), scope, cancellationToken);
        var rows = await events.GetRowsAsync(candidates.Select(c => (c.Item.EventPartition(tenant), c.Item.SortKey)).ToList(), cancellationToken);
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
        var scope = ScopeOf(filter);
        QueuePosition? position = null;
        var leaseReads = 0;
        var contended = false;
        while (true)
        {
            var (candidates, next) = await CandidatesAsync(tenant, filter, ClaimPage, position, scope, cancellationToken);
            var judged = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                if (++leaseReads > MaxLeaseReads)
                {
                    throw new FuncTraceException(ErrorCode.ServiceUnavailable, "Too many reviewers are claiming at once; retry shortly.");
                }
                var held = await HeldAsync(tenant, candidates, cancellationToken);
                var now = time.GetUtcNow();
                var free = candidates
                    .Where(c => !judged.Contains(c.Item.SortKey) && !(held.TryGetValue(c.Item.SortKey, out var lease) && lease.ExpiresAt > now))
                    .ToList();
                if (free.Count == 0)
                {
                    break;
                }
                for (var losses = 0; free.Count > 0 && losses < LossesBeforeRefresh;)
                {
                    var pick = contended ? Random.Shared.Next(free.Count) : 0;
                    var candidate = free[pick];
                    free.RemoveAt(pick);
                    var partition = ReviewLeases.PartitionOf(tenant, candidate.Slot);
                    if (await leases.TryTakeAsync(partition, candidate.Item.SortKey, reviewer, held.GetValueOrDefault(candidate.Item.SortKey), now + _leaseTime, cancellationToken) is not { } until)
                    {
                        (contended, losses) = (true, losses + 1);
                        continue;
                    }
                    var row = await events.GetRowAsync(candidate.Item.EventPartition(tenant), candidate.Item.SortKey, cancellationToken);
                    if (row is not null && row.GetString("ReviewStatus") == EventRows.ReviewPending)
                    {
                        return new ReviewClaim(await events.ReadAsync(row, cancellationToken), until, reviewer);
                    }
                    // Judged a moment ago; its entry has not left the bucket yet.
                    judged.Add(candidate.Item.SortKey);
                    await leases.ReleaseAsync(partition, candidate.Item.SortKey, reviewer, cancellationToken);
                }
            }
            if (next is null)
            {
                return null;
            }
            position = QueueCursor.Decode(next, scope);
        }
    }

    /// <summary>The leases (live or expired) on <paramref name="candidates"/>, by sort key: one read per activity partition they are in.</summary>
    private async Task<Dictionary<string, ReviewLease>> HeldAsync(string tenant, IEnumerable<Candidate> candidates, CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, ReviewLease>(StringComparer.Ordinal);
        foreach (var partition in await Task.WhenAll(candidates.Select(c => ReviewLeases.PartitionOf(tenant, c.Slot)).Distinct().Select(p => leases.InPartitionAsync(p, cancellationToken))))
        {
            foreach (var (sortKey, lease) in partition)
            {
                held[sortKey] = lease;
            }
        }
        return held;
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
    private async Task<(List<Candidate> Candidates, string? Next)> CandidatesAsync(string tenant, Filter filter, int limit, QueuePosition? position, string scope, CancellationToken cancellationToken)
    {
        var start = ViewKeys.ReviewPrefix + (position?.Slot ?? string.Empty);
        await using var merge = await BucketMerge.OpenAsync(_views, tenant, start, "q}", SlotOf, cancellationToken);
        var found = new List<Candidate>();
        string? slot = null;
        while (found.Count <= limit && merge.RowsRead < MaxBucketRowsPerRequest && await merge.NextAsync() is { } bucket)
        {
            slot = bucket.Key;
            found.AddRange(bucket.Items
                .Where(i => Matches(i, filter) && After(bucket.Key, i, position))
                .OrderBy(i => i.Ticks).ThenBy(i => i.SortKey, StringComparer.Ordinal)
                .Select(i => new Candidate(bucket.Key, i)));
        }
        if (found.Count > limit)
        {
            var page = found.Take(limit).ToList();
            return (page, QueueCursor.Encode(scope, new QueuePosition(page[^1].Slot, page[^1].Item.Ticks, page[^1].Item.SortKey)));
        }
        // Stopped on the read bound with buckets unread, perhaps with nothing found: go on after the last slot read.
        return (found, merge.HasMore ? QueueCursor.Encode(scope, new QueuePosition(slot!, long.MaxValue, "~")) : null);
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

    private static string ScopeOf(Filter filter) => CursorScope.Of("pending", filter.ConversationId, filter.EventType, filter.From, filter.To);

    /// <summary>Where a page of the queue ended — the slot, time and sort key of its last entry — and which query it belongs to.</summary>
    private static class QueueCursor
    {
        private const string Prefix = "q2";

        public static string Encode(string scope, QueuePosition position) =>
            Base64Url.Encode(Encoding.UTF8.GetBytes(string.Join(':', Prefix, scope, position.Slot, position.Ticks.ToString(CultureInfo.InvariantCulture), position.SortKey)));

        public static QueuePosition? Decode(string? cursor, string scope)
        {
            if (cursor is null)
            {
                return null;
            }
            var parts = (Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : string.Empty).Split(':');
            if (parts.Length == 5 && parts[0] == Prefix && parts[1] == scope
                && parts[2] is { Length: > 0 and <= 64 } slot && !slot.Contains('|', StringComparison.Ordinal)
                && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && parts[4] is { Length: > 0 and <= 64 } sortKey)
            {
                return new QueuePosition(slot, ticks, sortKey);
            }
            throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
        }
    }
}
