using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace FuncTrace.Functions.Review;

/// <summary>One file of the reviewer page, held in memory: its bytes, media type and strong ETag (a content hash).</summary>
public sealed record ReviewAsset(string Path, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The reviewer page's files, embedded in the assembly under <c>review/</c> (from <c>Review/wwwroot</c>) and read once.
/// Every file but the page is also reachable under a version segment, <c>review/{Version}/…</c>, where the version is a
/// hash of all of them: the page links its stylesheet and modules there, so they can be cached for good and a new
/// deployment is fetched at once. <c>{{assets}}</c> in the page becomes that versioned base.
/// </summary>
public sealed class ReviewAssets
{
    public const string PagePath = "index.html";
    private const string ResourcePrefix = "review/";
    private const string AssetsPlaceholder = "{{assets}}";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, ReviewAsset> _files;

    public ReviewAssets()
        : this(typeof(ReviewAssets).Assembly)
    {
    }

    public ReviewAssets(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var files = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToDictionary(name => name[ResourcePrefix.Length..], name => Read(assembly, name), StringComparer.Ordinal);
        if (!files.TryGetValue(PagePath, out var template))
        {
            throw new InvalidOperationException($"The reviewer page ({ResourcePrefix}{PagePath}) is not embedded in {assembly.GetName().Name}.");
        }
        files.Remove(PagePath);
        Version = "v" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + " " + Hash(f.Value))))))[..12];
        AssetBase = "/review/" + Version;
        Page = Asset(PagePath, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(template).Replace(AssetsPlaceholder, AssetBase, StringComparison.Ordinal)));
        _files = files.ToFrozenDictionary(f => f.Key, f => Asset(f.Key, f.Value), StringComparer.Ordinal);
    }

    /// <summary>The page, its asset links pointing at <see cref="AssetBase"/>.</summary>
    public ReviewAsset Page { get; }

    /// <summary><c>v</c> and 12 hex digits of the hash of every asset: changes whenever any of them does.</summary>
    public string Version { get; }

    public string AssetBase { get; }

    public IEnumerable<string> Paths => _files.Keys;

    public ReviewAsset? Find(string path) => _files.GetValueOrDefault(path);

    private static ReviewAsset Asset(string path, byte[] content)
    {
        var extension = System.IO.Path.GetExtension(path);
        var contentType = ContentTypes.GetValueOrDefault(extension)
            ?? throw new InvalidOperationException($"The reviewer page's file '{path}' has a type ({extension}) the page does not serve; add it to {nameof(ContentTypes)}.");
        return new ReviewAsset(path, content, contentType, "\"" + Hash(content) + "\"");
    }

    private static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content))[..32];

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
