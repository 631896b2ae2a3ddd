using System.Text.RegularExpressions;
using Azure;
using Azure.Core;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>Blob metadata travels as <c>x-ms-meta-{name}</c> headers.</summary>
internal static partial class BlobMetadata
{
    private const string Prefix = "x-ms-meta-";

    public static void Write(Request request, IDictionary<string, string>? metadata)
    {
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            // The service requires C# identifiers as names and header-safe ASCII as values.
            if (!Identifier().IsMatch(name))
            {
                throw new ArgumentException($"Metadata name '{name}' must be a C# identifier (letters, digits, '_').", nameof(metadata));
            }
            if (value is null || value.Any(c => c is < ' ' or > '~'))
            {
                throw new ArgumentException($"Metadata '{name}' must have a printable ASCII value.", nameof(metadata));
            }
            request.Headers.SetValue(Prefix + name, value);
        }
    }

    public static Dictionary<string, string> Read(Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name[Prefix.Length..]] = header.Value;
            }
        }
        return metadata;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
