using Azure;

namespace FuncTrace.Functions.Artifacts;

/// <summary>
/// A stored file attached to an event. <see cref="CreatedAt"/> is when this content was stored: an artifact is only
/// ever replaced whole, never modified.
/// </summary>
public sealed record ArtifactInfo(string Name, long Size, string ContentType, ETag ETag, DateTimeOffset CreatedAt);

/// <summary>A page of an event's artifacts, by name, and the cursor for the next (null at the end).</summary>
public sealed record ArtifactPage(IReadOnlyList<ArtifactInfo> Artifacts, string? NextCursor);

/// <summary>
/// An artifact opened for reading: all of it (<see cref="Range"/> null), a range of it, or — <see cref="Content"/> null —
/// nothing, because the range asked for lies wholly past its end.
/// </summary>
public sealed record ArtifactDownload(ArtifactInfo Artifact, ByteRange? Range, Stream? Content) : IDisposable
{
    public void Dispose() => Content?.Dispose();
}

public sealed record ArtifactResponse(string Name, long Size, string ContentType, string Etag, DateTimeOffset CreatedAt, string Url)
{
    public static ArtifactResponse From(string eventId, ArtifactInfo artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new(artifact.Name, artifact.Size, artifact.ContentType, artifact.ETag.ToString("H"), artifact.CreatedAt,
            $"/api/events/{Uri.EscapeDataString(eventId)}/artifacts/{Uri.EscapeDataString(artifact.Name)}");
    }
}

public sealed record ArtifactListResponse(IReadOnlyList<ArtifactResponse> Artifacts, string? NextCursor);
