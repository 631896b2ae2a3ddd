using System.Reflection;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace FuncTrace.Functions.OpenApi;

/// <summary>One answer a handler can give: its status, the type of its JSON body (null: none) and its content types.</summary>
public sealed record OperationResponse(int Status, Type? BodyType, IReadOnlyList<string> ContentTypes);

/// <summary>
/// Reads an HTTP function's answers from its return type, as ASP.NET Core does for minimal APIs: every typed result
/// (<c>Ok&lt;T&gt;</c>, <c>Created&lt;T&gt;</c>, <c>NotFound</c>, each case of <c>Results&lt;...&gt;</c>) describes itself through
/// <see cref="IEndpointMetadataProvider"/>. A result whose status is chosen at run time (<see cref="JsonHttpResult{T}"/>,
/// <see cref="EmptyHttpResult"/> after streaming, a file) is described by a <c>[ProducesResponseType]</c> on the method.
/// </summary>
public static class OperationResponses
{
    private static readonly MethodInfo PopulateMethod = typeof(OperationResponses).GetMethod(nameof(Populate), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static IReadOnlyList<OperationResponse> Of(HttpFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var builder = new RouteEndpointBuilder(null, RoutePatternFactory.Parse("/"), 0);
        foreach (var answer in Cases(ResultType(function.Method.ReturnType)).Where(DescribesItself))
        {
            PopulateMethod.MakeGenericMethod(answer).Invoke(null, [function.Method, builder]);
        }
        return builder.Metadata.OfType<IProducesResponseTypeMetadata>()
            .Select(m => new OperationResponse(m.StatusCode, BodyType(m.Type), m.ContentTypes.ToList()))
            .Concat(Declared(function.Method))
            .DistinctBy(r => (r.Status, r.BodyType))
            .OrderBy(r => r.Status)
            .ToList();
    }

    /// <summary>What keeps the document from describing every answer of <paramref name="function"/>; empty when nothing does.</summary>
    public static IReadOnlyList<string> Problems(HttpFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var resultType = ResultType(function.Method.ReturnType);
        if (resultType.IsInterface || resultType.IsAbstract || !typeof(IResult).IsAssignableFrom(resultType))
        {
            return [$"{function.Name} returns {resultType.Name}: return a typed result (Ok<T>, Results<...>) so its answers can be described."];
        }
        var declared = Declared(function.Method).ToList();
        return Cases(resultType)
            .Where(c => !DescribesItself(c))
            .Where(c => !(IsJson(c) ? declared.Any(d => d.BodyType == c.GetGenericArguments()[0]) : declared.Count > 0))
            .Select(c => $"{function.Name} can answer {c.Name}, whose status the type does not tell: add [ProducesResponseType] for it.")
            .ToList();
    }

    /// <summary>The type a handler returns, without its Task.</summary>
    public static Type ResultType(Type returnType)
    {
        ArgumentNullException.ThrowIfNull(returnType);
        return returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) ? returnType.GetGenericArguments()[0] : returnType;
    }

    /// <summary>The method's <c>[ProducesResponseType]</c> attributes.</summary>
    private static IEnumerable<OperationResponse> Declared(MethodInfo method) =>
        method.GetCustomAttributes().OfType<IApiResponseMetadataProvider>().Select(declared =>
        {
            var contentTypes = new MediaTypeCollection();
            declared.SetContentTypes(contentTypes);
            return new OperationResponse(declared.StatusCode, BodyType(declared.Type), contentTypes.ToList());
        });

    /// <summary>JsonHttpResult&lt;T&gt; claims 200, but its status is whatever the handler passed.</summary>
    private static bool DescribesItself(Type answer) => typeof(IEndpointMetadataProvider).IsAssignableFrom(answer) && !IsJson(answer);

    private static bool IsJson(Type answer) => answer.IsGenericType && answer.GetGenericTypeDefinition() == typeof(JsonHttpResult<>);

    private static Type? BodyType(Type? type) => type is null || type == typeof(void) ? null : type;

    private static IEnumerable<Type> Cases(Type resultType) =>
        typeof(INestedHttpResult).IsAssignableFrom(resultType) && resultType.IsGenericType
            ? resultType.GetGenericArguments().SelectMany(Cases)
            : [resultType];

    private static void Populate<T>(MethodInfo method, EndpointBuilder builder)
        where T : IEndpointMetadataProvider => T.PopulateMetadata(method, builder);
}
