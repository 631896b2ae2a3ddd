using System.Reflection;
using System.Text.RegularExpressions;
using FuncTrace.Functions.OpenApi;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Routing.Patterns;

namespace FuncTrace.Tests.Sweep;

/// <summary>One method of one HTTP function, as the catalog declares it: what the sweep needs to know to call it.</summary>
public sealed record SweepRoute(HttpFunction Function, string Method)
{
    /// <summary><c>/api/admin/keys/{id}</c>.</summary>
    public string Pattern { get; } = OpenApiDocument.PathOf(Function.Route);

    public IReadOnlyList<string> Parameters { get; } = RoutePatternFactory.Parse(Function.Route).Parameters.Select(p => p.Name).ToList();

    public bool IsAnonymous => Function.Access == Access.Anonymous;

    public bool IsExternal => Function.ExternalFace;

    public RequestBodyAttribute? Body => Function.Method.GetCustomAttribute<RequestBodyAttribute>();

    /// <summary>Reads a JSON body, and so must refuse a bad one.</summary>
    public bool ReadsJson => Body is { ContentType: "application/json" };

    public bool TakesBody => Method is "POST" or "PUT" or "PATCH";

    /// <summary>A route of the spec that FuncTrace declines (client-sent code): 501 is its only, documented answer.</summary>
    public bool IsNotImplemented => OperationResponses.Of(Function).All(r => r.Status == 501);

    public bool IsEventStream => OperationResponses.Of(Function).Any(r => r.ContentTypes.Contains("text/event-stream"));

    /// <summary>The path with each parameter replaced by its (already escaped) value.</summary>
    public string Path(Func<string, string> escapedValue)
    {
        ArgumentNullException.ThrowIfNull(escapedValue);
        return Parameters.Aggregate(Pattern, (path, name) => path.Replace("{" + name + "}", escapedValue(name), StringComparison.Ordinal));
    }

    /// <summary>The parameter values of <paramref name="path"/> when it is a path of this route, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var regex = "^" + Regex.Replace(Regex.Escape(Pattern), @"\\\{(\w+)}", "(?<$1>[^/]+)") + "$";
        var match = Regex.Match(path, regex);
        return match.Success ? Parameters.ToDictionary(p => p, p => Uri.UnescapeDataString(match.Groups[p].Value)) : null;
    }

    public override string ToString() => $"{Method} {Pattern}";

    /// <summary>Every route of the catalog: routes added later are swept without a change here.</summary>
    public static IReadOnlyList<SweepRoute> All(FunctionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog.Http.SelectMany(f => f.Methods.Select(m => new SweepRoute(f, m)))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ToList();
    }
}
