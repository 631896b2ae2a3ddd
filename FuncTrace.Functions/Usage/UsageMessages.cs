using System.Globalization;
using FuncTrace.Domain.Usage;

namespace FuncTrace.Functions.Usage;

public sealed record UsageLineResponse(string Period, string? User, string? Model, long PromptTokens, long CompletionTokens, long TotalTokens, long Events, double? Cost);

public sealed record UsageTotalsResponse(long PromptTokens, long CompletionTokens, long TotalTokens, long Events, double? Cost, IReadOnlyList<string?> UnpricedModels);

/// <summary><c>GET api/usage</c>: the lines in period, user and model order, and their totals. Costs are in US dollars.</summary>
public sealed record UsageResponse(string GroupBy, string From, string To, string Currency, IReadOnlyList<UsageLineResponse> Usage, UsageTotalsResponse Totals)
{
    public static UsageResponse For(UsageQuery query, IReadOnlyList<UsageLine> lines)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(lines);
        var totals = UsageTotals.Of(lines);
        return new(
            query.GroupBy,
            query.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            query.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "USD",
            lines.Select(l => new UsageLineResponse(l.Period, l.User, l.Model, l.PromptTokens, l.CompletionTokens, l.TotalTokens, l.Events, l.Cost)).ToList(),
            new UsageTotalsResponse(totals.PromptTokens, totals.CompletionTokens, totals.TotalTokens, totals.Events, totals.Cost, totals.UnpricedModels));
    }
}
