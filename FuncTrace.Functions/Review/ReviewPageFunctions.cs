using System.Text.RegularExpressions;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace FuncTrace.Functions.Review;

/// <summary>
/// The reviewer page, served by the app itself. No key: the page is public, the API calls it makes carry the key.
/// <code>
/// GET review            ReviewPage    the page (no-cache: always revalidated, so a deployment shows at once)
/// GET review/{*path}    ReviewAsset   its stylesheet, modules and images; under review/{version}/ cached for good
/// </code>
/// Every answer has a strong ETag (304 to a matching If-None-Match) and <see cref="ReviewHeaders"/>.
/// </summary>
public sealed partial class ReviewPageFunctions(ReviewAssets assets)
{
    private const string Page = "review";
    private const string Asset = "review/{*path}";

    [Function("ReviewPage")]
    [Access(Access.Anonymous)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/html")]
    public FileContentHttpResult GetPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Page)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Serve(request, assets.Page, ReviewHeaders.Revalidate);
    }

    [Function("ReviewAsset")]
    [Access(Access.Anonymous)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/html", "text/css", "text/javascript", "image/svg+xml")]
    public FileContentHttpResult GetAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Asset)] HttpRequest request, string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(path))
        {
            return Serve(request, assets.Page, ReviewHeaders.Revalidate);
        }
        var cacheControl = ReviewHeaders.Revalidate;
        if (VersionSegment().Match(path) is { Success: true } versioned)
        {
            // Another version's URL (a page loaded before a deployment) gets today's file, but only revalidated.
            cacheControl = versioned.Groups["version"].Value == assets.Version ? ReviewHeaders.Immutable : ReviewHeaders.Revalidate;
            path = versioned.Groups["rest"].Value;
        }
        var asset = assets.Find(path) ?? throw FuncTraceException.NotFound($"The reviewer page has no file '{path}'.");
        return Serve(request, asset, cacheControl);
    }

    private static FileContentHttpResult Serve(HttpRequest request, ReviewAsset asset, string cacheControl)
    {
        ReviewHeaders.Apply(request.HttpContext.Response, cacheControl);
        return TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: EntityTagHeaderValue.Parse(asset.ETag));
    }

    [GeneratedRegex("^(?<version>v[0-9a-f]{12})/(?<rest>.+)$")]
    private static partial Regex VersionSegment();
}
