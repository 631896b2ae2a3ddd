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
        var query = UsageQuery.For(
            Date(request, "from"),
            Date(request, "to"),
            QueryParameters.Optional(request, "group_by"),
            QueryParameters.Optional(request, "user"),
            QueryParameters.Optional(request, "model"),
            DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));

        var lines = await usage.QueryAsync(caller.DataTenant, query, context.RequestAborted);
        var totals = UsageTotals.Of(lines);
        return Results.Json(new
        {
            group_by = query.GroupBy,
            from = query.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            to = query.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
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
                prompt_tokens = totals.PromptTokens,
                completion_tokens = totals.CompletionTokens,
                total_tokens = totals.TotalTokens,
                events = totals.Events,
                cost = totals.Cost,
                unpriced_models = totals.UnpricedModels,
            },
        });
    }

    private static DateOnly? Date(HttpRequest request, string name) =>
        QueryParameters.Time(request, name) is { } time ? DateOnly.FromDateTime(time.UtcDateTime) : null;
}
