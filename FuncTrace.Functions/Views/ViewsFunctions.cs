using System.Text.Json;
using Azure.Storage.Blobs;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Views;

/// <summary>
/// The queue-triggered side of ingest.
/// <code>
/// queue {prefix}-views           ApplyViews    a sealed slot's work: bring the derived views up to date
/// queue {prefix}-intents         RecoverSlot   a slot whose instance died: rebuild its work from storage, then apply it
/// queue {prefix}-views-poison    RetryViews    work that failed maxDequeueCount times (storage down): back on the queue later
/// queue {prefix}-intents-poison  RetryRecovery the same for a recovery
/// </code>
/// Applying a slot is idempotent (a marker per partition), so a re-delivered message, a retry or a recovery of a slot
/// that was applied after all changes nothing.
/// </summary>
public sealed class ViewsFunctions(ViewWriter writer, SlotRecovery recovery, QueueRetries retries, BlobServiceClient blobs, StorageNames names)
{
    private const string ViewsQueue = "%FuncTrace:StoragePrefix%-views";
    private const string IntentsQueue = "%FuncTrace:StoragePrefix%-intents";
    private const string ViewsPoisonQueue = "%FuncTrace:StoragePrefix%-views-poison";
    private const string IntentsPoisonQueue = "%FuncTrace:StoragePrefix%-intents-poison";

    [Function("ApplyViews")]
    public async Task ApplyViews([QueueTrigger(ViewsQueue)] string message, CancellationToken cancellationToken)
    {
        var work = JsonSerializer.Deserialize<SlotWork>(QueueRetries.Unwrap(message))
            ?? throw new InvalidDataException("The views message is empty.");
        var items = work.Items;
        if (items.Count == 0)
        {
            var overflow = blobs.GetBlobContainerClient(names.Container(StorageNames.PayloadsContainer)).GetBlobClient(IngestJournal.OverflowBlob(work.Slot));
            var content = await overflow.DownloadContentAsync(cancellationToken);
            items = JsonSerializer.Deserialize<SlotWork>(content.Value.Content.ToString())?.Items ?? [];
        }
        await writer.ApplyAsync(work.Slot, items, cancellationToken);
    }

    [Function("RecoverSlot")]
    public Task RecoverSlot([QueueTrigger(IntentsQueue)] string message, CancellationToken cancellationToken)
    {
        var intent = JsonSerializer.Deserialize<SlotIntent>(QueueRetries.Unwrap(message)) ?? throw new InvalidDataException("The intent message is empty.");
        return recovery.RecoverAsync(intent, cancellationToken);
    }

    [Function("RetryViews")]
    public Task RetryViews([QueueTrigger(ViewsPoisonQueue)] string message, CancellationToken cancellationToken) =>
        retries.RequeueAsync(names.Queue(StorageNames.ViewsQueue), message, cancellationToken);

    [Function("RetryRecovery")]
    public Task RetryRecovery([QueueTrigger(IntentsPoisonQueue)] string message, CancellationToken cancellationToken) =>
        retries.RequeueAsync(names.Queue(StorageNames.IntentsQueue), message, cancellationToken);
}
