using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Shared;

/// <summary>The <c>FuncTrace:Cors</c> section: browser origins allowed to call the API.</summary>
public sealed class CorsOptions
{
    public const string Section = "FuncTrace:Cors";

    /// <summary>Comma-separated origins such as <c>https://app.example.com</c>; empty allows none.</summary>
    public string? Origins { get; set; }

    public IReadOnlySet<string> OriginSet() =>
        (Origins ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(o => o.TrimEnd('/'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// CORS for allowed origins: the response headers on every answer, and the preflight answer for a function that
/// accepts <c>OPTIONS</c> (the external trace face, which browser widgets call). Same-origin pages, such as the reviewer
/// page the app serves itself, need none of this.
/// </summary>
public sealed class Cors(IOptions<CorsOptions> options)
{
    private static readonly string ExposedHeaders = string.Join(", ", RequestIds.Header, "Idempotent-Replayed", "Retry-After", "X-Job-Id", "Location");
    private readonly IReadOnlySet<string> _origins = options.Value.OriginSet();

    /// <summary>Adds the headers when the request comes from an allowed origin; answers a preflight with 204.</summary>
    public IResult? Apply(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var origin = context.Request.Headers.Origin.ToString();
        var allowed = origin.Length > 0 && _origins.Contains(origin);
        if (allowed)
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = origin;
            headers.Vary = "Origin";
            headers.AccessControlExposeHeaders = ExposedHeaders;
        }
        if (!HttpMethods.IsOptions(context.Request.Method) || context.Request.Headers.AccessControlRequestMethod.Count == 0)
        {
            return null;
        }
        if (allowed)
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
            headers.AccessControlAllowHeaders = "Content-Type, X-API-Key, Authorization, Idempotency-Key, Last-Event-ID, X-Request-Id";
            headers.AccessControlMaxAge = "600";
        }
        return Results.NoContent();
    }
}
