using FuncTrace.Domain.Errors;

namespace FuncTrace.Domain.Usage;

/// <summary>
/// What <c>GET /api/usage</c> asks: an inclusive range of UTC days (or of the months they fall in), optionally one user
/// (matched without regard to case) or model.
/// </summary>
public sealed record UsageQuery(DateOnly From, DateOnly To, string GroupBy, string? User, string? Model)
{
    public const string Day = "day";
    public const string Month = "month";
    public const int MaxDays = 366;
    public const int MaxMonths = 60;

    /// <summary>The query with its defaults (by day, up to <paramref name="today"/>, 30 days or 12 months back), checked.</summary>
    public static UsageQuery For(DateOnly? from, DateOnly? to, string? groupBy, string? user, string? model, DateOnly today)
    {
        var grouping = groupBy ?? Day;
        if (grouping is not (Day or Month))
        {
            throw FuncTraceException.Validation("'group_by' must be 'day' or 'month'.", "group_by");
        }
        var end = to ?? today;
        var start = from ?? DefaultFrom(end, grouping);
        if (start > end)
        {
            throw FuncTraceException.Validation("'from' must not be after 'to'.", "from");
        }
        if (grouping == Day && end.DayNumber - start.DayNumber >= MaxDays)
        {
            throw FuncTraceException.Validation($"A daily report covers at most {MaxDays} days; narrow 'from' and 'to' or use group_by=month.", "from");
        }
        if (grouping == Month && ((end.Year - start.Year) * 12) + end.Month - start.Month >= MaxMonths)
        {
            throw FuncTraceException.Validation($"A monthly report covers at most {MaxMonths} months.", "from");
        }
        return new UsageQuery(start, end, grouping, user?.ToLowerInvariant(), model);
    }

    /// <summary>30 days or 12 months back from <paramref name="to"/>, or as far back as dates go.</summary>
    private static DateOnly DefaultFrom(DateOnly to, string groupBy) => groupBy == Day
        ? DateOnly.FromDayNumber(Math.Max(0, to.DayNumber - 29))
        : new DateOnly(to.Year, to.Month, 1).AddMonths(-Math.Min(11, ((to.Year - 1) * 12) + to.Month - 1));
}

/// <summary>Tokens and cost of one user and model in one day or month. <see cref="Cost"/> is null for an unpriced model.</summary>
public sealed record UsageLine(string Period, string? User, string? Model, long PromptTokens, long CompletionTokens, long TotalTokens, long Events, double? Cost);

/// <summary>
/// The sum of a report's lines, saturating at <see cref="long.MaxValue"/> so no total can wrap negative.
/// <see cref="Cost"/> covers the priced models; null when the report has lines and none is priced.
/// </summary>
public sealed record UsageTotals(long PromptTokens, long CompletionTokens, long TotalTokens, long Events, double? Cost, IReadOnlyList<string?> UnpricedModels)
{
    public static UsageTotals Of(IReadOnlyList<UsageLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var priced = lines.Where(l => l.Cost is not null).ToList();
        return new UsageTotals(
            Saturating.Sum(lines, l => l.PromptTokens),
            Saturating.Sum(lines, l => l.CompletionTokens),
            Saturating.Sum(lines, l => l.TotalTokens),
            Saturating.Sum(lines, l => l.Events),
            priced.Count == 0 && lines.Count > 0 ? null : Math.Round(priced.Sum(l => l.Cost!.Value), 6),
            lines.Where(l => l.Cost is null).Select(l => l.Model).Distinct().ToList());
    }
}
