namespace FuncTrace.Functions.Api;

/// <summary>
/// The external trace face's envelope, <c>{"success": false, "error": "..."}</c>, kept exactly as its existing clients
/// read it: every failure under <c>/api/external</c> (auth, bad JSON, size, unknown route, disabled face) answers with it.
/// </summary>
public static class ExternalTraceEnvelope
{
    public const string PathPrefix = "/api/external";

    public static bool Applies(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase);
    }

    public static object Failure(string error) => new { success = false, error };

    public static Task WriteAsync(HttpContext context, int status, string error)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.Headers[RequestIdMiddleware.Header] = context.TraceIdentifier;
        return context.Response.WriteAsJsonAsync(Failure(error));
    }
}
