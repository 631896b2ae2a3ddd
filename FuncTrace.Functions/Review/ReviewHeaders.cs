namespace FuncTrace.Functions.Review;

/// <summary>
/// The headers of everything the reviewer page is made of. The Content-Security-Policy allows scripts, styles, images
/// and requests from this origin only, no inline script or style, and — with Trusted Types required and no policy
/// allowed — no string can ever reach <c>innerHTML</c> or another HTML sink: hostile event data can only be text.
/// </summary>
public static class ReviewHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
        "require-trusted-types-for 'script'; trusted-types 'none'";

    /// <summary>The page and unversioned files: cached, but checked with the ETag before every use.</summary>
    public const string Revalidate = "no-cache";

    /// <summary>Files under the current version segment never change: their URL does instead.</summary>
    public const string Immutable = "public, max-age=31536000, immutable";

    public static void Apply(HttpResponse response, string cacheControl)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.CacheControl = cacheControl;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }
}
