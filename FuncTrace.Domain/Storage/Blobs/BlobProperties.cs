using Azure;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>What the service knows about a whole blob. <see cref="ContentLength"/> is the full size, whatever range was read.</summary>
public sealed record BlobProperties(
    string? ContentType,
    long ContentLength,
    ETag ETag,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Metadata);
