using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Events;

/// <summary>An event about to be stored: its record and its record row, the template of any copy an aggregate keeps.</summary>
public sealed record StagedEvent(EventRecord Record, TableEntity Row);

/// <summary>
/// Rows derived from events (a conversation's summary, usage totals, counters) that must change in the same
/// transaction as the events themselves, so they never count an event that was not stored or count one twice.
/// </summary>
public interface IEventAggregate
{
    /// <summary>The most actions <see cref="ActionsAsync"/> adds for one event, so callers can size transactions.</summary>
    int MaxActionsPerEvent { get; }

    /// <summary>
    /// Reads the aggregate's rows now and returns the actions that bring them up to date with <paramref name="events"/>:
    /// an Add for a row that does not exist yet, otherwise an update guarded by the ETag just read. Each row at most once.
    /// </summary>
    Task<IReadOnlyList<TableTransactionAction>> ActionsAsync(TableClient table, string tenant, IReadOnlyList<StagedEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// All aggregates of the events table. A transaction that fails on one of their rows (another writer changed it
/// since it was read) is rebuilt from fresh reads and sent again, a bounded number of times with jittered backoff.
/// </summary>
public sealed class EventAggregates(IEnumerable<IEventAggregate> aggregates)
{
    public const int MaxAttempts = 16;
    private readonly IReadOnlyList<IEventAggregate> _aggregates = aggregates.ToList();

    public int MaxActionsPerEvent => _aggregates.Sum(a => a.MaxActionsPerEvent);

    /// <summary>
    /// Every aggregate's actions, in aggregate order. Their reads are independent, so they run at once: one round trip
    /// of latency per event instead of one per aggregate.
    /// </summary>
    public async Task<IReadOnlyList<TableTransactionAction>> ActionsAsync(TableClient table, string tenant, IReadOnlyList<StagedEvent> events, CancellationToken cancellationToken)
    {
        var perAggregate = await Task.WhenAll(_aggregates.Select(a => a.ActionsAsync(table, tenant, events, cancellationToken))).ConfigureAwait(false);
        return perAggregate.SelectMany(actions => actions).ToList();
    }

    /// <summary>Waits a random time that grows with the attempt, so writers that collided spread out.</summary>
    public static Task BackoffAsync(int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(10 * (1 << Math.Min(attempt, 7)), 1000);
        return Task.Delay(Random.Shared.Next(ceiling / 2, ceiling + 1), cancellationToken);
    }
}
