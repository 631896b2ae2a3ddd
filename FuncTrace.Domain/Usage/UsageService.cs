using System.Globalization;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Usage;

/// <summary>What <c>GET /api/usage</c> asks: an inclusive range of days (or of the months they fall in), optionally one user or model.</summary>
public sealed record UsageQuery(DateOnly From, DateOnly To, string GroupBy, string? User, string? Model)
{
    /// <summary>The query with its defaults: by day, up to <paramref name="today"/>, from 30 days or 12 months before the end.</summary>
    public static UsageQuery For(DateOnly? from, DateOnly? to, string? groupBy, string? user, string? model, DateOnly today)
    {
        var grouping = groupBy ?? UsageAggregate.Day;
        if (grouping is not (UsageAggregate.Day or UsageAggregate.Month))
        {
            throw FuncTraceException.Validation("'group_by' must be 'day' or 'month'.", "group_by");
        }
        var end = to ?? today;
        return new UsageQuery(from ?? DefaultFrom(end, grouping), end, grouping, user, model);
    }

    /// <summary>30 days or 12 months back from <paramref name="to"/>, or as far back as dates go.</summary>
    private static DateOnly DefaultFrom(DateOnly to, string groupBy) => groupBy == UsageAggregate.Day
        ? DateOnly.FromDayNumber(Math.Max(0, to.DayNumber - 29))
        : new DateOnly(to.Year, to.Month, 1).AddMonths(-Math.Min(11, ((to.Year - 1) * 12) + to.Month - 1));
}

/// <summary>Tokens and cost of one user and model in one day or month. <see cref="Cost"/> is null for an unpriced model.</summary>
public sealed record UsageLine(string Period, string? User, string? Model, long PromptTokens, long CompletionTokens, long TotalTokens, long Events, double? Cost);

/// <summary>The sum of a report's lines. <see cref="Cost"/> covers the priced models; null when none is priced.</summary>
public sealed record UsageTotals(long PromptTokens, long CompletionTokens, long TotalTokens, long Events, double? Cost, IReadOnlyList<string?> UnpricedModels)
{
    public static UsageTotals Of(IReadOnlyList<UsageLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var priced = lines.Where(l => l.Cost is not null).ToList();
        return new UsageTotals(
            lines.Sum(l => l.PromptTokens),
            lines.Sum(l => l.CompletionTokens),
            lines.Sum(l => l.TotalTokens),
            lines.Sum(l => l.Events),
            priced.Count == 0 && lines.Count > 0 ? null : Math.Round(priced.Sum(l => l.Cost!.Value), 6),
            lines.Where(l => l.Cost is null).Select(l => l.Model).Distinct().ToList());
    }
}

/// <summary>
/// Reads the usage rows <see cref="UsageAggregate"/> maintains: one row-key range of the tenant's partition, never the
/// raw events. Cost is computed at read time, so a changed price applies to past usage too.
/// </summary>
public sealed class UsageService(StorageCatalog storage, ModelPrices prices)
{
    public const int MaxDays = 366;
    public const int MaxMonths = 60;
    private readonly TableClient _table = storage.Table(StorageNames.EventsTable);

    public async Task<IReadOnlyList<UsageLine>> QueryAsync(string tenant, UsageQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (prefix, from, toExclusive) = Range(query);
        var filter = TableFilter.And(
            TableFilter.Create($"PartitionKey eq {tenant}"),
            TableFilter.Create($"RowKey ge {prefix + from}"),
            TableFilter.Create($"RowKey lt {prefix + toExclusive}"),
            query.User is null ? null : TableFilter.Create($"User eq {query.User.ToLowerInvariant()}"),
            query.Model is null ? null : TableFilter.Create($"Model eq {query.Model}"));

        // A total is split over shard rows (adjacent keys, same labels): fold them into one line, in key order.
        var totals = new Dictionary<(string Period, string User, string Model), (long Prompt, long Completion, long Total, long Events)>();
        await foreach (var row in _table.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var key = (row.GetString("Period")!, row.GetString("User") ?? string.Empty, row.GetString("Model") ?? string.Empty);
            var sum = totals.GetValueOrDefault(key);
            totals[key] = (
                sum.Prompt + (row.GetInt64("PromptTokens") ?? 0),
                sum.Completion + (row.GetInt64("CompletionTokens") ?? 0),
                sum.Total + (row.GetInt64("TotalTokens") ?? 0),
                sum.Events + (row.GetInt64("Events") ?? 0));
        }
        var lines = totals.Select(t => new UsageLine(
            t.Key.Period, EmptyToNull(t.Key.User), EmptyToNull(t.Key.Model), t.Value.Prompt, t.Value.Completion, t.Value.Total, t.Value.Events,
            prices.Cost(EmptyToNull(t.Key.Model), t.Value.Prompt, t.Value.Completion))).ToList();
        return lines;
    }

    private static (string Prefix, string From, string ToExclusive) Range(UsageQuery query)
    {
        if (query.From > query.To)
        {
            throw FuncTraceException.Validation("'from' must not be after 'to'.", "from");
        }
        if (query.GroupBy == UsageAggregate.Day)
        {
            if (query.To.DayNumber - query.From.DayNumber >= MaxDays)
            {
                throw FuncTraceException.Validation($"A daily report covers at most {MaxDays} days; narrow 'from' and 'to' or use group_by=month.", "from");
            }
            return (EventKeys.UsageByDay, Key(query.From, "yyyyMMdd"), Through(Key(query.To, "yyyyMMdd")));
        }
        var months = ((query.To.Year - query.From.Year) * 12) + query.To.Month - query.From.Month;
        if (months >= MaxMonths)
        {
            throw FuncTraceException.Validation($"A monthly report covers at most {MaxMonths} months.", "from");
        }
        return (EventKeys.UsageByMonth, Key(query.From, "yyyyMM"), Through(Key(query.To, "yyyyMM")));
    }

    /// <summary>The first key after every row of <paramref name="period"/> (rows are <c>{period}|{user}|{model}</c>), even for the last date there is.</summary>
    private static string Through(string period) => TableKeys.PrefixEnd(period + "|");

    private static string Key(DateOnly date, string format) => date.ToString(format, CultureInfo.InvariantCulture);

    private static string? EmptyToNull(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
