using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Sweep;

/// <summary>One route of the app as its endpoint metadata describes it: method, pattern, parameters and the policy guarding it.</summary>
public sealed record SweepRoute(string Method, string Pattern, IReadOnlyList<string> Parameters, string? Policy)
{
    public bool IsAnonymous => Policy is null;

    public bool IsExternal => Pattern.StartsWith("/api/external", StringComparison.OrdinalIgnoreCase);

    public bool TakesBody => Method is "POST" or "PUT";

    public bool IsEventStream => Pattern.EndsWith("/events/stream", StringComparison.Ordinal) || Pattern.EndsWith("/{jobId}/events", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Pattern}";

    /// <summary>The path with each parameter replaced by its (already escaped) value.</summary>
    public string Path(Func<string, string> escapedValue)
    {
        ArgumentNullException.ThrowIfNull(escapedValue);
        return Parameters.Aggregate(Pattern, (path, name) => path.Replace("{" + name + "}", escapedValue(name), StringComparison.Ordinal));
    }

    /// <summary>Every route the running app maps, read from its endpoint data source, so new routes are swept without a change here.</summary>
    public static IReadOnlyList<SweepRoute> All(FuncTraceApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var routes = new List<SweepRoute>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            var pattern = endpoint.RoutePattern.RawText ?? string.Empty;
            pattern = pattern.Length > 1 ? pattern.TrimEnd('/') : pattern;
            if (!pattern.StartsWith('/'))
            {
                pattern = "/" + pattern;
            }
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policy = anonymous ? null : endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            var parameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();
            routes.AddRange(methods.Select(method => new SweepRoute(method, pattern, parameters, policy)));
        }
        return routes.OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ToList();
    }
}
