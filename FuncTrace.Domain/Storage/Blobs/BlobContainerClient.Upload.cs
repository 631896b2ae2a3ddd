using System.Buffers;
using Azure;
using Azure.Core;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>Block blob upload: one Put Blob for a short stream, Put Block per block plus Put Block List for a long one.</summary>
public sealed partial class BlobContainerClient
{
    /// <summary>
    /// Uploads (or replaces) a block blob from a stream of any length, seekable or not, holding one
    /// pooled block of <see cref="BlockSize"/> bytes in memory at a time.
    /// </summary>
    public async Task<BlobUploadResult> UploadAsync(
        string blobName,
        Stream content,
        string? contentType,
        IDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        var path = BlobNames.ToUrlPath(blobName);
        ArgumentNullException.ThrowIfNull(content);
        var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
        try
        {
            var block = buffer.AsMemory(0, _blockSize);
            var read = await content.ReadAtLeastAsync(block, _blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < _blockSize)
            {
                var etag = await PutBlobAsync(path, block[..read], contentType, metadata, cancellationToken).ConfigureAwait(false);
                return new BlobUploadResult(read, etag);
            }

            var size = 0L;
            var blocks = 0;
            var blockList = new BlockList();
            while (read > 0)
            {
                if (blocks == BlockList.MaxBlocks)
                {
                    throw new InvalidOperationException(
                        $"Blob '{blobName}' needs more than {BlockList.MaxBlocks} blocks of {_blockSize} bytes; use a larger BlockSize.");
                }
                await PutBlockAsync(path, blockList.BlockId(blocks), block[..read], cancellationToken).ConfigureAwait(false);
                blocks++;
                size += read;
                read = read < _blockSize
                    ? 0
                    : await content.ReadAtLeastAsync(block, _blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
            var listETag = await PutBlockListAsync(path, blockList.Body(blocks), contentType, metadata, cancellationToken).ConfigureAwait(false);
            return new BlobUploadResult(size, listETag);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<ETag> PutBlobAsync(
        string path, ReadOnlyMemory<byte> content, string? contentType, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, BlobUri(path));
        message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        SetContentTypeAndMetadata(message.Request, contentType, metadata);
        message.Request.Content = RequestContent.Create(content);
        var response = await _pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
        return response.Headers.ETag.GetValueOrDefault();
    }

    private async Task PutBlockAsync(string path, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, BlobUri(path, "comp=block&blockid=" + Uri.EscapeDataString(blockId)));
        message.Request.Content = RequestContent.Create(content);
        await _pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
    }

    private async Task<ETag> PutBlockListAsync(
        string path, byte[] blockList, string? contentType, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, BlobUri(path, "comp=blocklist"));
        SetContentTypeAndMetadata(message.Request, contentType, metadata);
        message.Request.Content = RequestContent.Create(blockList);
        try
        {
            var response = await _pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
            return response.Headers.ETag.GetValueOrDefault();
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "InvalidBlockList")
        {
            // Another upload of this name committed first, and committing discards every other staged block.
            throw new StorageConflictException(409, "Another upload of this blob finished first; this one was discarded.", ex.ErrorCode);
        }
    }

    private static void SetContentTypeAndMetadata(Request request, string? contentType, IDictionary<string, string>? metadata)
    {
        // x-ms-blob-content-type, not Content-Type: on Put Block List the body is the XML list, not the blob.
        if (!string.IsNullOrEmpty(contentType))
        {
            request.Headers.SetValue("x-ms-blob-content-type", contentType);
        }
        BlobMetadata.Write(request, metadata);
    }
}
