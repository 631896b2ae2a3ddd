using System.Text;
using System.Text.Json;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Blobs;

namespace FuncTrace.Domain.Events;

/// <summary>
/// Keeps event data too large for a table property in a blob. The name carries the content hash, so a
/// replay writes the same blob again and a conflicting body can never overwrite the original's data.
/// </summary>
public sealed class PayloadStore(StorageCatalog storage)
{
    private readonly BlobContainerClient _container = storage.Container(StorageNames.PayloadsContainer);

    public static string BlobName(string tenant, string eventId, string bodyHash) => $"{tenant}/{eventId}/{bodyHash}.json";

    public async Task SaveAsync(string blobName, string json, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(json), writable: false);
        await _container.UploadAsync(blobName, content, "application/json", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<JsonElement> LoadAsync(string blobName, CancellationToken cancellationToken)
    {
        using var download = await _container.DownloadAsync(blobName, cancellationToken: cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Event data blob '{blobName}' is missing.");
        using var json = await JsonDocument.ParseAsync(download.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        return json.RootElement.Clone();
    }
}
