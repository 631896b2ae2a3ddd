using System.Text.Json;
using Azure.Storage.Blobs;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Views;

/// <summary>
/// The queue-triggered side of ingest.
/// <code>
/// queue {prefix}-ingest          ApplySlot   a slot's message: its work (bring the views up to date), or — when its
///                                            instance died before sealing it — its intent (rebuild the work, then apply it)
/// queue {prefix}-ingest-poison   RetrySlot   a slot that failed maxDequeueCount times (storage down): back on the queue later
/// </code>
/// Applying a slot is idempotent (a marker per partition), so a re-delivered message, a retry or a recovery of a slot
/// that was applied after all changes nothing.
/// </summary>
public sealed class ViewsFunctions(ViewWriter writer, SlotRecovery recovery, QueueRetries retries, BlobServiceClient blobs, StorageNames names)
{
    private const string IngestQueue = "%FuncTrace:StoragePrefix%-ingest";
    private const string IngestPoisonQueue = "%FuncTrace:StoragePrefix%-ingest-poison";

    [Function("ApplySlot")]
    public async Task ApplySlot([QueueTrigger(IngestQueue)] string message, CancellationToken cancellationToken)
    {
        var slot = JsonSerializer.Deserialize<SlotMessage>(QueueRetries.Unwrap(message))
            ?? throw new InvalidDataException("The ingest message is empty.");
        if (!slot.IsWork)
        {
            await recovery.RecoverAsync(slot, cancellationToken);
            return;
        }
        var items = slot.Items ?? [];
        if (slot.Overflow)
        {
            var overflow = blobs.GetBlobContainerClient(names.Container(StorageNames.PayloadsContainer)).GetBlobClient(IngestJournal.OverflowBlob(slot.Slot));
            var content = await overflow.DownloadContentAsync(cancellationToken);
            items = JsonSerializer.Deserialize<SlotMessage>(content.Value.Content.ToString())?.Items ?? [];
        }
        await writer.ApplyAsync(slot.Slot, items, cancellationToken);
    }

    [Function("RetrySlot")]
    public Task RetrySlot([QueueTrigger(IngestPoisonQueue)] string message, CancellationToken cancellationToken) =>
        retries.RequeueAsync(names.Queue(StorageNames.IngestQueue), message, cancellationToken);
}
