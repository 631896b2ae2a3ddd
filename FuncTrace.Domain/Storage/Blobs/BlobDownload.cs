using Azure;
using Azure.Core;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>
/// An open download: <see cref="Content"/> reads straight from the network, so dispose this to release the connection.
/// </summary>
public sealed class BlobDownload : IDisposable
{
    private readonly HttpMessage _message;

    internal BlobDownload(HttpMessage message, Stream content, long contentLength, BlobProperties properties)
    {
        _message = message;
        Content = content;
        ContentLength = contentLength;
        Properties = properties;
    }

    /// <summary>The requested bytes (the whole blob or the range), not buffered.</summary>
    public Stream Content { get; }

    /// <summary>How many bytes <see cref="Content"/> holds.</summary>
    public long ContentLength { get; }

    /// <summary>The whole blob's properties; <c>Properties.ContentLength</c> is the total size.</summary>
    public BlobProperties Properties { get; }

    public string? ContentType => Properties.ContentType;

    public long TotalLength => Properties.ContentLength;

    public ETag ETag => Properties.ETag;

    public void Dispose() => _message.Dispose();
}
