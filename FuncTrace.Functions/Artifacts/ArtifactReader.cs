using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Artifacts;

/// <summary>Lists an event's artifacts and streams one back, whole or one range of it (<see cref="ArtifactBlobs"/>).</summary>
public sealed class ArtifactReader(BlobServiceClient blobs, StorageNames names, EventReader events)
{
    private const string CursorPrefix = "a1:";
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(names.Container(StorageNames.ArtifactsContainer));

    /// <summary>Up to <paramref name="limit"/> of the event's artifacts, by name, after the cursor's.</summary>
    public async Task<ArtifactPage> ListAsync(string tenant, string eventId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var prefix = ArtifactBlobs.Name(tenant, await ArtifactBlobs.SortKeyAsync(events, tenant, eventId, cancellationToken), string.Empty);
        var marker = DecodeCursor(cursor);
        try
        {
            await foreach (var page in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).AsPages(marker, limit))
            {
                var list = page.Values.Select(b => new ArtifactInfo(
                    b.Name[prefix.Length..], b.Properties.ContentLength ?? 0, b.Properties.ContentType ?? ArtifactBlobs.DefaultContentType,
                    b.Properties.ETag ?? default, b.Properties.LastModified ?? default)).ToList();
                return new ArtifactPage(list, string.IsNullOrEmpty(page.ContinuationToken) ? null : EncodeCursor(page.ContinuationToken));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 400 && marker is not null)
        {
            throw BadCursor();
        }
        return new ArtifactPage([], null);
    }

    /// <summary>
    /// Opens the artifact, or the part of it <paramref name="range"/> asks for, for streaming; dispose the result.
    /// <paramref name="ifRange"/> (an ETag) serves the range only if the artifact is still that version, else all of it.
    /// </summary>
    public async Task<ArtifactDownload> OpenAsync(string tenant, string eventId, string name, ByteRangeRequest? range, string? ifRange, CancellationToken cancellationToken = default)
    {
        ArtifactBlobs.ValidateName(name);
        var blob = _container.GetBlobClient(ArtifactBlobs.Name(tenant, await ArtifactBlobs.SortKeyAsync(events, tenant, eventId, cancellationToken), name));
        try
        {
            if (range is null)
            {
                var whole = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
                var details = whole.Value.Details;
                return new ArtifactDownload(new ArtifactInfo(name, details.ContentLength, details.ContentType ?? ArtifactBlobs.DefaultContentType, details.ETag, details.LastModified), null, whole.Value.Content);
            }
            // A suffix or an open range needs the size first; the read then pins that version, and is tried again if it changed.
            return await OptimisticRetry.RunAsync(async () =>
            {
                var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                var artifact = new ArtifactInfo(name, properties.ContentLength, properties.ContentType ?? ArtifactBlobs.DefaultContentType, properties.ETag, properties.LastModified);
                ByteRange? part = null;
                if (ifRange is null || ifRange == properties.ETag.ToString("H"))
                {
                    part = range.Resolve(properties.ContentLength);
                    if (part is null)
                    {
                        return new ArtifactDownload(artifact, null, null);
                    }
                }
                var content = await blob.DownloadStreamingAsync(new BlobDownloadOptions
                {
                    Range = part is { } p ? new HttpRange(p.Offset, p.Length) : default,
                    Conditions = new BlobRequestConditions { IfMatch = properties.ETag },
                }, cancellationToken);
                return new ArtifactDownload(artifact, part, content.Value.Content);
            }, ex => ex is RequestFailedException { Status: 412 }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw FuncTraceException.NotFound($"Event '{eventId}' has no artifact '{name}'.");
        }
    }

    private static string EncodeCursor(string marker) => Domain.Base64Url.Encode(Encoding.UTF8.GetBytes(CursorPrefix + marker));

    private static string? DecodeCursor(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }
        var text = Domain.Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        return text is not null && text.StartsWith(CursorPrefix, StringComparison.Ordinal) && text.Length > CursorPrefix.Length
            ? text[CursorPrefix.Length..]
            : throw BadCursor();
    }

    private static FuncTraceException BadCursor() =>
        FuncTraceException.Validation("The cursor does not belong to this list; start again without it.", "cursor");
}
