using System.Globalization;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Usage;

/// <summary>
/// Adds the tokens of events that carry usage to the tenant's per-day and per-month rows of their user and model
/// (the day of the event's timestamp, UTC), in the shard of the event's conversation. Several events of one row in a
/// transaction become one increment.
/// </summary>
public sealed class UsageAggregate : IEventAggregate
{
    public const string Day = "day";
    public const string Month = "month";

    public int MaxActionsPerEvent => 2;

    public async Task<IReadOnlyList<TableTransactionAction>> ActionsAsync(TableClient table, string tenant, IReadOnlyList<StagedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(events);
        var increments = events
            .Where(e => e.Record.Usage is not null)
            .SelectMany(e => Rows(e.Record))
            .GroupBy(r => r.RowKey, StringComparer.Ordinal)
            .ToList();
        var existing = await Task.WhenAll(increments.Select(g =>
            table.GetEntityIfExistsAsync(tenant, g.Key, cancellationToken: cancellationToken))).ConfigureAwait(false);

        return increments.Select((g, i) =>
        {
            var first = g.First();
            var labels = new Dictionary<string, object?> { ["Grain"] = first.Grain, ["Period"] = first.Period, ["User"] = first.User, ["Model"] = first.Model };
            var deltas = new Dictionary<string, long>
            {
                ["PromptTokens"] = g.Sum(r => r.Usage.PromptTokens ?? 0),
                ["CompletionTokens"] = g.Sum(r => r.Usage.CompletionTokens ?? 0),
                ["TotalTokens"] = g.Sum(r => r.Usage.Total),
                ["Events"] = g.Count(),
            };
            return CounterRows.Increment(tenant, g.Key, existing[i], deltas, labels);
        }).ToList();
    }

    private static IEnumerable<UsageIncrement> Rows(EventRecord record)
    {
        var date = record.Timestamp.UtcDateTime;
        var shard = EventKeys.ShardOf(record.ConversationId);
        var user = record.User?.ToLowerInvariant() ?? string.Empty;
        var model = record.Model ?? string.Empty;
        var day = date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var month = date.ToString("yyyyMM", CultureInfo.InvariantCulture);
        yield return new(EventKeys.UsageRow(EventKeys.UsageByDay, day, user, model, shard), Day, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), user, model, record.Usage!);
        yield return new(EventKeys.UsageRow(EventKeys.UsageByMonth, month, user, model, shard), Month, date.ToString("yyyy-MM", CultureInfo.InvariantCulture), user, model, record.Usage!);
    }

    private sealed record UsageIncrement(string RowKey, string Grain, string Period, string User, string Model, EventUsage Usage);
}
