using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using FuncTrace.Functions.Review;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Review;

/// <summary>The reviewer page's files as HTTP serves them: types, caching, ETags and the headers that keep data inert.</summary>
public sealed partial class ReviewPageTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private ReviewAssets Assets => app.Services.GetRequiredService<ReviewAssets>();

    [Fact]
    public async Task ThePageIsServedWithoutAKeyAndLinksItsAssetsUnderTheCurrentVersion()
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync("/review");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Contains($"href=\"/review/{Assets.Version}/review.css\"", html, StringComparison.Ordinal);
        Assert.Contains($"<script type=\"module\" src=\"/review/{Assets.Version}/js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAddressWithATrailingSlashIsThePageToo()
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync("/review/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Assets.Page.Content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task ThePageAndItsAssetsForbidInlineScriptAndEveryOtherOrigin()
    {
        using var client = app.ClientWithKey(null);

        foreach (var path in new[] { "/review", $"/review/{Assets.Version}/js/app.js" })
        {
            using var response = await client.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var policy = Directives(response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("'self'", policy["default-src"]);
            Assert.Equal("'self'", policy["script-src"]);
            Assert.Equal("'self'", policy["style-src"]);
            Assert.Equal("'self'", policy["connect-src"]);
            Assert.Equal("'none'", policy["object-src"]);
            Assert.Equal("'none'", policy["frame-ancestors"]);
            Assert.Equal("'script'", policy["require-trusted-types-for"]);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    [Fact]
    public void ThePageHoldsNoInlineScriptNoInlineStyleAndNoOutsideAddress()
    {
        var html = System.Text.Encoding.UTF8.GetString(Assets.Page.Content);

        Assert.All(ScriptTag().Matches(html), script => Assert.Matches("src=\"/review/v[0-9a-f]{12}/", script.Value));
        Assert.DoesNotMatch(@"\son[a-z]+\s*=", html);
        Assert.DoesNotMatch(@"\sstyle\s*=", html);
        Assert.All(Assets.Paths.Select(Text).Append(html), text => Assert.DoesNotMatch("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}", text.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public void NoModuleWritesHtmlFromStrings()
    {
        var modules = Assets.Paths.Where(p => p.EndsWith(".js", StringComparison.Ordinal)).ToList();

        Assert.Contains("js/app.js", modules);
        Assert.All(modules, path => Assert.DoesNotMatch(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|createContextualFragment", Text(path)));
    }

    [Fact]
    public async Task AssetsUnderTheCurrentVersionAreCachedForGoodAndAllOthersRevalidated()
    {
        using var client = app.ClientWithKey(null);

        using var versioned = await client.GetAsync($"/review/{Assets.Version}/js/app.js");
        using var unversioned = await client.GetAsync("/review/js/app.js");
        using var otherVersion = await client.GetAsync("/review/v000000000000/js/app.js");

        Assert.Equal("public, max-age=31536000, immutable", versioned.Headers.CacheControl!.ToString());
        Assert.Equal("no-cache", unversioned.Headers.CacheControl!.ToString());
        Assert.Equal("no-cache", otherVersion.Headers.CacheControl!.ToString());
        var bodies = await Task.WhenAll(versioned.Content.ReadAsStringAsync(), unversioned.Content.ReadAsStringAsync(), otherVersion.Content.ReadAsStringAsync());
        Assert.Single(bodies.Distinct());
        Assert.Equal(versioned.Headers.ETag, otherVersion.Headers.ETag);
    }

    [Theory]
    [InlineData("js/app.js", "text/javascript; charset=utf-8")]
    [InlineData("review.css", "text/css; charset=utf-8")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public async Task EachAssetIsServedWithItsContentType(string path, string contentType)
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync($"/review/{Assets.Version}/{path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.ToString());
        Assert.Equal(Assets.Find(path)!.Content, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/review")]
    [InlineData("/review/js/queue.js")]
    public async Task AMatchingIfNoneMatchIsAnswered304WithNoBodyAndTheSameHeaders(string path)
    {
        using var client = app.ClientWithKey(null);
        using var first = await client.GetAsync(path);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var response = await client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(first.Headers.ETag, response.Headers.ETag);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
    }

    [Fact]
    public async Task AStaleETagGetsTheWholeFile()
    {
        using var client = app.ClientWithKey(null);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/review");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-page\""));

        using var response = await client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Assets.Page.Content, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/review/js/missing.js")]
    [InlineData("/review/v000000000000/missing.css")]
    [InlineData("/review/js/../../host.json")]
    [InlineData("/review/index.html")]
    public async Task AFileThePageDoesNotHaveIs404WithTheEnvelope(string path)
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync(path);

        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public void TheVersionChangesWithAnyAssetAndNamesTheirHash()
    {
        Assert.Matches("^v[0-9a-f]{12}$", Assets.Version);
        Assert.All(Assets.Paths, path => Assert.Matches("^\"[0-9a-f]{32}\"$", Assets.Find(path)!.ETag));
    }

    private string Text(string path) => System.Text.Encoding.UTF8.GetString(Assets.Find(path)!.Content);

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : string.Empty, StringComparer.Ordinal);

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();
}
