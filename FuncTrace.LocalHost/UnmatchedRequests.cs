using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;

namespace FuncTrace.LocalHost;

/// <summary>
/// A request no function took (unknown route, or a method the route does not accept) gets the error envelope — the
/// external face's own shape under <c>/api/external</c> — where the Functions host would answer with an empty 404.
/// </summary>
public sealed class UnmatchedRequests(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await next(context);
        if (context.Response is { HasStarted: false, StatusCode: 404 or 405 } && context.GetEndpoint() is null or { DisplayName: "405 HTTP Method Not Supported" })
        {
            RequestIds.Assign(context);
            var external = context.Request.Path.StartsWithSegments("/api/external", StringComparison.OrdinalIgnoreCase);
            var message = context.Response.StatusCode == 405
                ? $"{context.Request.Method} is not allowed on {context.Request.Path}."
                : $"No route matches {context.Request.Method} {context.Request.Path}.";
            await ApiError.Result(context, ErrorCode.NotFound, message, status: context.Response.StatusCode, externalFace: external).ExecuteAsync(context);
        }
    }
}
