using Azure;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>The blob as stored by an upload: its size in bytes and the ETag of the new version.</summary>
public sealed record BlobUploadResult(long Size, ETag ETag);
