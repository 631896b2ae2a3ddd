using FuncTrace.Domain.Usage;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Usage;

/// <summary>
/// Token usage and cost.
/// <code>
/// GET api/usage   GetUsage   by day or month (group_by), user and model; from/to are UTC days, by default the last 30 days or 12 months
/// </code>
/// </summary>
public sealed class UsageFunctions(UsageReader usage, TimeProvider time)
{
    private const string UsageRoute = "api/usage";

    [Function("GetUsage")]
    [Access(Access.AnyRole)]
    public async Task<Ok<UsageResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = UsageRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = UsageQuery.For(
            Date(request, "from"),
            Date(request, "to"),
            QueryParameters.Optional(request, "group_by"),
            QueryParameters.Optional(request, "user"),
            QueryParameters.Optional(request, "model"),
            DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        var lines = await usage.ReadAsync(request.Caller().DataTenant, query, request.HttpContext.RequestAborted);
        return TypedResults.Ok(UsageResponse.For(query, lines));
    }

    private static DateOnly? Date(HttpRequest request, string name) =>
        QueryParameters.Time(request, name) is { } time ? DateOnly.FromDateTime(time.UtcDateTime) : null;
}
