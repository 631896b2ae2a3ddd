using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Keys;
using FuncTrace.Domain.Usage;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// <c>GET /api/usage?from=&amp;to=&amp;group_by=day|month&amp;user=&amp;model=</c>: tokens and cost per period, user and model,
/// from the usage rows kept as events arrive. Dates are UTC days; by default the last 30 days (or the last 12 months).
/// </summary>
public static class UsageFunctions
{
    public static IEndpointRouteBuilder MapUsageFunctions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/usage", GetUsage).RequireAuthorization(AuthSetup.Read).WithTags("Usage").WithSummary("Token usage and cost by day or month");
        return routes;
    }

    public static async Task<IResult> GetUsage(HttpContext context, UsageService usage, TimeProvider time, Caller caller)
    {
        var request = context.Request;
        var groupBy = QueryParameters.Optional(request, "group_by") ?? UsageAggregate.Day;
        if (groupBy is not (UsageAggregate.Day or UsageAggregate.Month))
        {
            throw FuncTraceException.Validation("'group_by' must be 'day' or 'month'.", "group_by");
        }
        var to = Date(request, "to") ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var from = Date(request, "from") ?? DefaultFrom(to, groupBy);
        var query = new UsageQuery(from, to, groupBy, QueryParameters.Optional(request, "user"), QueryParameters.Optional(request, "model"));

        var lines = await usage.QueryAsync(caller.DataTenant, query, context.RequestAborted);
        var priced = lines.Where(l => l.Cost is not null).ToList();
        return Results.Json(new
        {
            group_by = groupBy,
            from = from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            to = to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            currency = "USD",
            usage = lines.Select(l => new
            {
                period = l.Period,
                user = l.User,
                model = l.Model,
                prompt_tokens = l.PromptTokens,
                completion_tokens = l.CompletionTokens,
                total_tokens = l.TotalTokens,
                events = l.Events,
                cost = l.Cost,
            }),
            totals = new
            {
                prompt_tokens = lines.Sum(l => l.PromptTokens),
                completion_tokens = lines.Sum(l => l.CompletionTokens),
                total_tokens = lines.Sum(l => l.TotalTokens),
                events = lines.Sum(l => l.Events),
                cost = priced.Count == 0 && lines.Count > 0 ? (double?)null : Math.Round(priced.Sum(l => l.Cost!.Value), 6),
                unpriced_models = lines.Where(l => l.Cost is null).Select(l => l.Model).Distinct().ToList(),
            },
        });
    }

    /// <summary>30 days or 12 months back from <paramref name="to"/>, or as far back as dates go.</summary>
    private static DateOnly DefaultFrom(DateOnly to, string groupBy) => groupBy == UsageAggregate.Day
        ? DateOnly.FromDayNumber(Math.Max(0, to.DayNumber - 29))
        : new DateOnly(to.Year, to.Month, 1).AddMonths(-Math.Min(11, ((to.Year - 1) * 12) + to.Month - 1));

    private static DateOnly? Date(HttpRequest request, string name) =>
        QueryParameters.Time(request, name) is { } time ? DateOnly.FromDateTime(time.UtcDateTime) : null;
}
