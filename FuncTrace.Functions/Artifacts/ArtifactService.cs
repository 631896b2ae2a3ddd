using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Artifacts;

/// <summary>
/// Stores files attached to events in Blob Storage (<see cref="ArtifactBlobs"/>), streamed from the request body.
/// <para>
/// An upload stages the body block by block (one block in memory at a time) and commits the list at the end, so an
/// upload that fails or stops midway commits nothing. The commit is conditional on the artifact being as it was when
/// the upload began; of two overlapping uploads of one name the one that finishes second is refused (409), and since
/// each upload commits only the blocks it staged, a blob never mixes two bodies.
/// </para>
/// </summary>
public sealed class ArtifactService(BlobServiceClient blobs, StorageNames names, EventReader events, IOptions<EventOptions> options, IOptions<FuncTraceOptions> bodies)
{
    /// <summary>The block size of a staged upload (and the largest upload sent as one request).</summary>
    public const int BlockSize = 4 * 1024 * 1024;
    private const int MaxContentTypeLength = 256;

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(names.Container(StorageNames.ArtifactsContainer));
    private readonly long _maxBytes = options.Value.MaxArtifactBytes;
    private readonly TimeSpan _idle = TimeSpan.FromSeconds(bodies.Value.RequestBodyIdleSeconds);

    public async Task<ArtifactInfo> UploadAsync(string tenant, string eventId, string name, Stream body, string? contentType, long? declaredLength, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArtifactBlobs.ValidateName(name);
        var type = string.IsNullOrWhiteSpace(contentType) ? ArtifactBlobs.DefaultContentType : contentType;
        if (type.Length > MaxContentTypeLength)
        {
            throw FuncTraceException.Validation($"'Content-Type' is longer than {MaxContentTypeLength} characters.", "Content-Type");
        }
        if (declaredLength > _maxBytes)
        {
            throw TooLarge(_maxBytes);
        }
        var blob = _container.GetBlockBlobClient(ArtifactBlobs.Name(tenant, await ArtifactBlobs.SortKeyAsync(events, tenant, eventId, cancellationToken), name));
        var conditions = await StartingPointAsync(blob, cancellationToken);
        using var reader = new BoundedBody(body, _maxBytes, _idle, TooLarge, cancellationToken);
        try
        {
            var stored = await WriteAsync(blob, reader, new BlobHttpHeaders { ContentType = type }, conditions, cancellationToken);
            return new ArtifactInfo(name, reader.Total, type, stored.ETag, stored.LastModified);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 || ex.ErrorCode == BlobErrorCode.InvalidBlockList)
        {
            // Another upload of this name committed after this one began (and so discarded this one's staged blocks).
            throw FuncTraceException.Conflict($"Another upload of artifact '{name}' finished first; send it again to replace that one.");
        }
    }

    /// <summary>A body shorter than a block is one Put Blob; a longer one is staged block by block, then committed.</summary>
    private static async Task<BlobContentInfo> WriteAsync(BlockBlobClient blob, BoundedBody reader, BlobHttpHeaders headers, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var read = await reader.FillAsync(buffer.AsMemory(0, BlockSize));
            if (read < BlockSize)
            {
                using var single = new MemoryStream(buffer, 0, read, writable: false);
                return await blob.UploadAsync(single, new BlobUploadOptions { HttpHeaders = headers, Conditions = conditions }, cancellationToken);
            }
            var blockIds = new List<string>();
            var upload = Guid.NewGuid().ToString("N");
            while (read > 0)
            {
                var blockId = BlockId(upload, blockIds.Count);
                using (var block = new MemoryStream(buffer, 0, read, writable: false))
                {
                    await blob.StageBlockAsync(blockId, block, cancellationToken: cancellationToken);
                }
                blockIds.Add(blockId);
                read = read < BlockSize ? 0 : await reader.FillAsync(buffer.AsMemory(0, BlockSize));
            }
            return await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { HttpHeaders = headers, Conditions = conditions }, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>What the artifact must still be when this upload commits: the version there now, or none.</summary>
    private static async Task<BlobRequestConditions> StartingPointAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var current = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            return new BlobRequestConditions { IfMatch = current.Value.ETag };
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new BlobRequestConditions { IfNoneMatch = ETag.All };
        }
    }

    /// <summary>
    /// Each upload's block ids start with its own random part, so two uploads of one name never share an id; every id
    /// of a blob must have the same length, hence the fixed-width counter.
    /// </summary>
    private static string BlockId(string upload, int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(upload + index.ToString("D6", CultureInfo.InvariantCulture)));

    public static FuncTraceException TooLarge(long maxBytes) =>
        new(ErrorCode.PayloadTooLarge, $"The artifact is larger than {maxBytes} bytes.", new Dictionary<string, object?> { ["max_bytes"] = maxBytes });
}
