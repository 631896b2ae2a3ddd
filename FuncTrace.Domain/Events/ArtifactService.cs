using System.Text.RegularExpressions;
using Azure;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Blobs;

namespace FuncTrace.Domain.Events;

/// <summary>A stored file attached to an event.</summary>
public sealed record ArtifactInfo(string Name, long Size, string ContentType, ETag ETag, DateTimeOffset LastModified);

/// <summary>
/// Files attached to events, streamed to and from Blob Storage under <c>{tenant}/{event id}/{name}</c>:
/// the tenant prefix keeps tenants apart, the event check keeps artifacts tied to events that exist.
/// </summary>
public sealed partial class ArtifactService(StorageCatalog storage, EventService events, EventOptions options, TimeProvider time)
{
    private readonly BlobContainerClient _container = storage.Container(StorageNames.ArtifactsContainer);

    public async Task<ArtifactInfo> UploadAsync(string tenant, string eventId, string name, Stream content, string? contentType, long? declaredLength, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        if (declaredLength > options.MaxArtifactBytes)
        {
            throw new FuncTraceException(ErrorCode.PayloadTooLarge, $"The artifact is larger than {options.MaxArtifactBytes} bytes.", new Dictionary<string, object?> { ["max_bytes"] = options.MaxArtifactBytes });
        }
        await RequireEventAsync(tenant, eventId, cancellationToken).ConfigureAwait(false);
        var type = string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType;
        var limited = new LimitedReadStream(content, options.MaxArtifactBytes);
        BlobUploadResult result;
        try
        {
            result = await _container.UploadAsync(BlobName(tenant, eventId, name), limited, type, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (StorageConflictException)
        {
            throw FuncTraceException.Conflict($"Another upload of artifact '{name}' finished first; send it again to replace that one.");
        }
        return new ArtifactInfo(name, result.Size, type, result.ETag, time.GetUtcNow());
    }

    public async Task<IReadOnlyList<ArtifactInfo>> ListAsync(string tenant, string eventId, CancellationToken cancellationToken = default)
    {
        await RequireEventAsync(tenant, eventId, cancellationToken).ConfigureAwait(false);
        var prefix = BlobName(tenant, eventId, string.Empty);
        var list = new List<ArtifactInfo>();
        await foreach (var blob in _container.ListAsync(prefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var p = blob.Properties;
            list.Add(new ArtifactInfo(blob.Name[prefix.Length..], p.ContentLength, p.ContentType ?? "application/octet-stream", p.ETag, p.LastModified));
        }
        return list;
    }

    /// <summary>Opens the artifact (or a range of it) for streaming; dispose the result.</summary>
    public async Task<BlobDownload> OpenAsync(string tenant, string eventId, string name, HttpRange range, CancellationToken cancellationToken = default)
    {
        ValidateName(name);
        await RequireEventAsync(tenant, eventId, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _container.DownloadAsync(BlobName(tenant, eventId, name), range, cancellationToken).ConfigureAwait(false)
                ?? throw FuncTraceException.NotFound($"Event '{eventId}' has no artifact '{name}'.");
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            throw new FuncTraceException(ErrorCode.RangeNotSatisfiable, "The requested range starts past the end of the artifact.");
        }
    }

    private async Task RequireEventAsync(string tenant, string eventId, CancellationToken cancellationToken)
    {
        if (await events.GetAsync(tenant, eventId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw FuncTraceException.NotFound($"No event with id '{eventId}'.");
        }
    }

    private static string BlobName(string tenant, string eventId, string name) => $"{tenant}/{eventId}/{name}";

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name) || name is "." or "..")
        {
            throw FuncTraceException.Validation("An artifact name is 1-200 letters, digits, '.', '_' or '-'.", "name");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,200}$")]
    private static partial Regex NamePattern();
}
