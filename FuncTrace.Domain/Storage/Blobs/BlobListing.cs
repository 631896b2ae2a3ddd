using System.Globalization;
using System.Xml.Linq;
using Azure;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>Reads one page of the List Blobs XML (<c>EnumerationResults</c>).</summary>
internal static class BlobListing
{
    public static (IReadOnlyList<BlobItem> Items, string? NextMarker) Parse(Stream xml)
    {
        var root = XDocument.Load(xml).Root ?? throw new FormatException("List Blobs returned an empty document.");
        var items = root.Element("Blobs")?.Elements("Blob").Select(ParseBlob).ToList() ?? [];
        var nextMarker = root.Element("NextMarker")?.Value;
        return (items, string.IsNullOrEmpty(nextMarker) ? null : nextMarker);
    }

    private static BlobItem ParseBlob(XElement blob)
    {
        var properties = blob.Element("Properties");
        string? Property(string name) => properties?.Element(name)?.Value;

        var metadata = blob.Element("Metadata")?.Elements()
            .ToDictionary(e => e.Name.LocalName, e => e.Value, StringComparer.OrdinalIgnoreCase)
            ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        return new BlobItem(
            blob.Element("Name")?.Value ?? throw new FormatException("A listed blob has no Name."),
            new BlobProperties(
                NullIfEmpty(Property("Content-Type")),
                long.Parse(Property("Content-Length") ?? "0", CultureInfo.InvariantCulture),
                UnquotedETag(Property("Etag")),
                Property("Last-Modified") is { } modified ? HttpDates.Parse(modified) : default,
                metadata));
    }

    /// <summary>Azure.Core unquotes header ETags; a listing may or may not quote them, so unquote here too and both compare equal.</summary>
    private static ETag UnquotedETag(string? value) =>
        string.IsNullOrEmpty(value) ? default : new ETag(value.Trim('"'));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
