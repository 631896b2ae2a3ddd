namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>Blob name rules and their URL form.</summary>
internal static class BlobNames
{
    private const int MaxLength = 1024;

    /// <summary>Validates the name and returns it as a URL path: each '/'-separated segment percent-encoded.</summary>
    public static string ToUrlPath(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        if (blobName.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"A blob name must be 1-{MaxLength} characters long; this one has {blobName.Length}.", nameof(blobName));
        }
        if (blobName.EndsWith('.') || blobName.EndsWith('/'))
        {
            throw new ArgumentException($"Blob name '{blobName}' must not end with '.' or '/'.", nameof(blobName));
        }

        var segments = blobName.Split('/');
        // System.Uri would collapse "." and ".." segments and so address a different blob.
        if (segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException($"Blob name '{blobName}' must not contain '.' or '..' path segments.", nameof(blobName));
        }
        return string.Join('/', segments.Select(Uri.EscapeDataString));
    }
}
