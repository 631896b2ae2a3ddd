using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Status;

/// <summary>The counts an operator watches, as of the last stored event or feedback.</summary>
public sealed record TenantCounts(long EventsIngested, long FeedbackGiven, long PendingReviews, long JobsCreated);

/// <summary>
/// The tenant's counters: <c>n|{shard}</c> rows, changed in the same transactions as the events and feedback they
/// count. An event transaction takes the shard of its (first) conversation, anything else one at random, so parallel
/// writers rarely contend for one row; a read sums the shards (one short range).
/// </summary>
public sealed class TenantCounters(StorageCatalog storage) : IEventAggregate
{
    public const string EventsIngested = "EventsIngested";
    public const string FeedbackGiven = "FeedbackGiven";
    public const string PendingReviews = "PendingReviews";
    public const string JobsCreated = "JobsCreated";
    private const int MaxAddAttempts = 20;
    private readonly TableClient _table = storage.Table(StorageNames.EventsTable);

    /// <summary>One shard row per transaction, whatever the number of events.</summary>
    public int MaxActionsPerEvent => 1;

    public async Task<IReadOnlyList<TableTransactionAction>> ActionsAsync(TableClient table, string tenant, IReadOnlyList<StagedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var deltas = new Dictionary<string, long>
        {
            [EventsIngested] = events.Count,
            [PendingReviews] = events.Count(e => e.Record.RequiresFeedback),
        };
        var shard = events.Count > 0 ? EventKeys.ShardOf(events[0].Record.ConversationId) : (int?)null;
        return [await IncrementAsync(table, tenant, deltas, shard, cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>The action adding <paramref name="deltas"/> to <paramref name="shard"/> (random when null), read now for its ETag.</summary>
    public static async Task<TableTransactionAction> IncrementAsync(TableClient table, string tenant, IReadOnlyDictionary<string, long> deltas, int? shard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rowKey = EventKeys.Counters + (shard ?? Random.Shared.Next(EventKeys.AggregateShards)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var existing = await table.GetEntityIfExistsAsync(tenant, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return CounterRows.Increment(tenant, rowKey, existing, deltas);
    }

    /// <summary>Adds <paramref name="deltas"/> on their own (not with an event), retrying when a shard changed under us.</summary>
    public async Task AddAsync(string tenant, IReadOnlyDictionary<string, long> deltas, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _table.SubmitTransactionAsync([await IncrementAsync(_table, tenant, deltas, shard: null, cancellationToken).ConfigureAwait(false)], cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAddAttempts)
            {
                // Another writer moved this shard; read one again.
            }
        }
    }

    public async Task<TenantCounts> ReadAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var filter = TableFilter.Prefix(tenant, EventKeys.Counters);
        long events = 0, feedback = 0, pending = 0, jobs = 0;
        await foreach (var row in _table.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            events += row.GetInt64(EventsIngested) ?? 0;
            feedback += row.GetInt64(FeedbackGiven) ?? 0;
            pending += row.GetInt64(PendingReviews) ?? 0;
            jobs += row.GetInt64(JobsCreated) ?? 0;
        }
        return new TenantCounts(events, feedback, pending, jobs);
    }
}
