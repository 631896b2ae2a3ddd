using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Events;

/// <summary>
/// Keeps event data too large for a table property in a blob; the row keeps its name. The name carries the content
/// hash, so a replay writes the same blob again and a conflicting body can never overwrite the original's data.
/// </summary>
public sealed class PayloadStore(BlobServiceClient blobs, StorageNames names)
{
    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(names.Container(StorageNames.PayloadsContainer));

    public static string BlobName(string tenant, string sortKey, string bodyHash) => $"events/{tenant}/{sortKey}/{bodyHash}.json";

    public async Task SaveAsync(string blobName, string json, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(blobName);
        await blob.UploadAsync(BinaryData.FromString(json), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
    }

    public async Task<JsonElement> LoadAsync(string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return JsonBody.ParseStored(Encoding.UTF8.GetString(content.Value.Content.ToMemory().Span));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Event data blob '{blobName}' is missing.", ex);
        }
    }
}
