namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>One blob as a container listing returns it.</summary>
public sealed record BlobItem(string Name, BlobProperties Properties);
