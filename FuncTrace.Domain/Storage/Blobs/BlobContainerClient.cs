using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;

namespace FuncTrace.Domain.Storage.Blobs;

/// <summary>
/// One blob container over the Blob REST API, shaped like the Azure SDK's client of the same name.
/// Reads of something absent return null (a missing blob is an answer, not an error); any other
/// failure is a <see cref="RequestFailedException"/> with the service's status and error code.
/// </summary>
public sealed partial class BlobContainerClient
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    // The block is buffered in memory, so keep it far below the service's 4000 MiB limit.
    private const int MaxBlockSize = 256 * 1024 * 1024;
    private const int MaxPageSize = 5000;

    private readonly StoragePipeline _pipeline;
    private readonly int _blockSize = DefaultBlockSize;

    public BlobContainerClient(StorageAccount account, string containerName, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        Name = ResourceNames.ValidateContainerOrQueueName(containerName, "container", nameof(containerName));
        Uri = new Uri(account.BlobEndpoint, Name);
        _pipeline = new StoragePipeline(account.Credential, options ?? new StorageClientOptions(), isTable: false);
    }

    public string Name { get; }

    public Uri Uri { get; }

    /// <summary>How many bytes an upload reads and sends at a time; a stream no longer than this is one Put Blob.</summary>
    public int BlockSize
    {
        get => _blockSize;
        init => _blockSize = value is > 0 and <= MaxBlockSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"The block size must be 1 byte to {MaxBlockSize} bytes.");
    }

    /// <summary>Creates the container; returns false when it already existed.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, ContainerUri("restype=container"));
        var response = await _pipeline.SendAsync(message, cancellationToken, 201, 409).ConfigureAwait(false);
        if (response.Status == 409 && !HasErrorCode(response, "ContainerAlreadyExists"))
        {
            // Another 409 (for example ContainerBeingDeleted) means the container is not usable.
            throw await StorageErrors.CreateAsync(response, cancellationToken).ConfigureAwait(false);
        }
        return response.Status == 201;
    }

    /// <summary>Deletes the container and every blob in it; returns false when it did not exist.</summary>
    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, ContainerUri("restype=container"));
        var response = await _pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }

    /// <summary>
    /// Opens the blob (or the <paramref name="range"/> of it) for reading; null when the blob or its container does not exist.
    /// A range that starts past the end fails with 416 (InvalidRange).
    /// </summary>
    public async Task<BlobDownload?> DownloadAsync(string blobName, HttpRange range = default, CancellationToken cancellationToken = default)
    {
        var message = _pipeline.CreateMessage(RequestMethod.Get, BlobUri(BlobNames.ToUrlPath(blobName)));
        try
        {
            message.BufferResponse = false;
            if (range != default)
            {
                message.Request.Headers.SetValue("x-ms-range", range.ToString());
            }
            var response = await _pipeline.SendAsync(message, cancellationToken, 200, 206, 404).ConfigureAwait(false);
            if (response.Status == 404)
            {
                message.Dispose();
                return null;
            }

            var contentLength = response.Headers.ContentLength ?? 0;
            var totalLength = response.Status == 206 ? TotalLengthFromContentRange(response) : contentLength;
            return new BlobDownload(message, response.ContentStream ?? Stream.Null, contentLength, ReadProperties(response, totalLength));
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>The blob's properties and metadata; null when the blob or its container does not exist.</summary>
    public async Task<BlobProperties?> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Head, BlobUri(BlobNames.ToUrlPath(blobName)));
        var response = await _pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        return response.Status == 404 ? null : ReadProperties(response, response.Headers.ContentLength ?? 0);
    }

    /// <summary>Deletes the blob; returns false when it (or its container) did not exist.</summary>
    public async Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, BlobUri(BlobNames.ToUrlPath(blobName)));
        var response = await _pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }

    /// <summary>
    /// Lists the blobs whose names start with <paramref name="prefix"/>, in name order, with their metadata,
    /// fetching pages of up to <paramref name="pageSize"/> (service default 5000) as the caller reads.
    /// </summary>
    public async IAsyncEnumerable<BlobItem> ListAsync(
        string? prefix = null,
        int? pageSize = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, $"The page size must be 1 to {MaxPageSize}.");
        }

        string? marker = null;
        do
        {
            var query = "restype=container&comp=list&include=metadata"
                        + (string.IsNullOrEmpty(prefix) ? "" : "&prefix=" + Uri.EscapeDataString(prefix))
                        + (marker is null ? "" : "&marker=" + Uri.EscapeDataString(marker))
                        + (pageSize is { } size ? "&maxresults=" + size.ToString(CultureInfo.InvariantCulture) : "");
            IReadOnlyList<BlobItem> items;
            using (var message = _pipeline.CreateMessage(RequestMethod.Get, ContainerUri(query)))
            {
                var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
                (items, marker) = BlobListing.Parse(response.ContentStream!);
            }
            foreach (var item in items)
            {
                yield return item;
            }
        }
        while (marker is not null);
    }

    private static BlobProperties ReadProperties(Response response, long totalLength) =>
        new(
            response.Headers.ContentType,
            totalLength,
            response.Headers.ETag.GetValueOrDefault(),
            response.Headers.TryGetValue("Last-Modified", out var modified) ? HttpDates.Parse(modified) : default,
            BlobMetadata.Read(response));

    /// <summary>A 206 says <c>Content-Range: bytes 0-99/1234</c>; the part after '/' is the whole blob's size.</summary>
    private static long TotalLengthFromContentRange(Response response) =>
        response.Headers.TryGetValue("Content-Range", out var contentRange)
        && contentRange.LastIndexOf('/') is var slash and >= 0
        && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : throw new RequestFailedException(response.Status, $"The range response has no usable Content-Range header ('{contentRange}').");

    private static bool HasErrorCode(Response response, string code) =>
        response.Headers.TryGetValue("x-ms-error-code", out var actual) && actual == code;

    private Uri ContainerUri(string query) => new($"{Uri.AbsoluteUri}?{query}");

    private Uri BlobUri(string path, string? query = null) =>
        new($"{Uri.AbsoluteUri}/{path}{(query is null ? "" : "?" + query)}");
}
