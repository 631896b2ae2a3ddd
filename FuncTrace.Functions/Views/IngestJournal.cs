using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Views;

/// <summary>
/// Groups this instance's writes into short slots, so that keeping the derived views (timeline, review queue,
/// conversation summaries, usage, counters) up to date costs a few storage operations per slot instead of several per
/// event, and never loses or doubles one:
/// <list type="number">
/// <item>Before a request writes, it enlists in the open slot. The slot's <em>intent</em> — a hidden message on the
/// ingest queue listing the partitions the slot writes to — is sent (or updated) first, so nothing is written that a
/// recovery could not find. A new slot's intent already lists the partitions the last one wrote to, so in steady
/// traffic enlisting costs nothing.</item>
/// <item>The request writes its rows, tagged with the slot id, and hands the slot what it wrote.</item>
/// <item>When the slot is closed (after <see cref="IngestOptions.SlotMilliseconds"/>, or full) and its writes have
/// finished, this instance applies its work to the views (<see cref="ViewWriter"/>) and deletes the intent. Should that
/// fail (or <see cref="IngestOptions.ApplyOnWriter"/> be off), the same message is rewritten as its work — every item —
/// and made visible, for <see cref="ViewsFunctions.ApplySlot"/>.</item>
/// </list>
/// If the instance dies, the intent becomes visible after <see cref="IngestOptions.IntentVisibilitySeconds"/> (it is
/// renewed while the slot lives) and <see cref="ViewsFunctions.ApplySlot"/> rebuilds the work from the rows tagged with
/// the slot. The views apply a slot once per partition (a marker row in the same transaction), so a slot applied
/// twice — work and recovery, or a re-delivered message — changes nothing.
/// </summary>
public sealed class IngestJournal : BackgroundService
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(20);
    private const int MaxInlineWorkBytes = 45_000;

    /// <summary>The most partitions a new slot's intent takes over from the last one.</summary>
    private const int MaxSeededPartitions = 200;

    private readonly QueueClient _ingest;
    private readonly ViewWriter _writer;
    private readonly BlobContainerClient _overflow;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IngestJournal> _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<IngestSlot> _live = [];
    private readonly string _instance = RandomInstanceId();
    private IngestSlot? _open;
    private IReadOnlyList<string> _recentPartitions = [];
    private long _counter;

    public IngestJournal(QueueServiceClient queues, BlobServiceClient blobs, StorageNames names, ViewWriter writer, IOptions<IngestOptions> options, TimeProvider time, ILogger<IngestJournal> logger)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        _writer = writer;
        _ingest = queues.GetQueueClient(names.Queue(StorageNames.IngestQueue));
        _overflow = blobs.GetBlobContainerClient(names.Container(StorageNames.PayloadsContainer));
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where work too large for one queue message is kept (the message then names the blob).</summary>
    public static string OverflowBlob(string slot) => $"slots/{slot}.json";

    /// <summary>
    /// Joins the open slot, once its intent lists every partition in <paramref name="partitions"/>. The ticket must be
    /// completed (what was written), marked uncertain, or abandoned: the slot waits for it before it is sealed.
    /// </summary>
    public async Task<SlotTicket> EnlistAsync(IReadOnlyCollection<string> partitions, int estimatedBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        IngestSlot slot;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_open is null || !_open.Accepts(estimatedBytes, now, _options))
            {
                Close(_open);
                _open = new IngestSlot(NewSlotId(now), now);
                // Steady traffic writes the same partitions slot after slot: listing them at once saves updating the intent.
                _open.Want(_recentPartitions);
                _live.Add(_open);
            }
            slot = _open;
            slot.Reserve(estimatedBytes);
        }
        var ticket = new SlotTicket(this, slot);
        try
        {
            await EnsureListedAsync(slot, partitions, cancellationToken);
            return ticket;
        }
        catch
        {
            ticket.Abandon();
            throw;
        }
    }

    internal void Finished(IngestSlot slot)
    {
        bool seal;
        lock (_gate)
        {
            seal = slot.TryStartSeal();
        }
        if (seal)
        {
            _ = SealAsync(slot);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TickAsync(closeAll: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync seals what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TickAsync(closeAll: true);
        var deadline = _time.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (_time.GetUtcNow() < deadline && LiveCount() > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TickInterval, _time, CancellationToken.None);
        }
    }

    /// <summary>Closes a slot to new writes and remembers its partitions for the next slot's intent. Call under the gate.</summary>
    private void Close(IngestSlot? slot)
    {
        if (slot is null)
        {
            return;
        }
        slot.Close();
        _recentPartitions = slot.Wanted().Take(MaxSeededPartitions).ToList();
    }

    private int LiveCount()
    {
        lock (_gate)
        {
            return _live.Count;
        }
    }

    /// <summary>Closes slots whose time is up (or all), seals the finished ones, and renews the intents of long-lived ones.</summary>
    private async Task TickAsync(bool closeAll)
    {
        var now = _time.GetUtcNow();
        List<IngestSlot> toSeal = [];
        List<IngestSlot> toRenew = [];
        lock (_gate)
        {
            if (_open is not null && (closeAll || now - _open.OpenedAt >= TimeSpan.FromMilliseconds(_options.SlotMilliseconds)))
            {
                Close(_open);
                _open = null;
            }
            foreach (var slot in _live)
            {
                if (slot.TryStartSeal())
                {
                    toSeal.Add(slot);
                }
                else if (slot.NeedsRenewal(now, TimeSpan.FromSeconds(_options.IntentVisibilitySeconds / 3.0)))
                {
                    toRenew.Add(slot);
                }
            }
        }
        foreach (var slot in toSeal)
        {
            _ = SealAsync(slot);
        }
        foreach (var slot in toRenew)
        {
            await RenewAsync(slot);
        }
    }

    /// <summary>
    /// Sends or updates the slot's intent until it lists <paramref name="partitions"/>. One writer at a time per slot, and
    /// each write lists everything wanted so far, so requests arriving together share one queue operation.
    /// </summary>
    private async Task EnsureListedAsync(IngestSlot slot, IReadOnlyCollection<string> partitions, CancellationToken cancellationToken)
    {
        if (slot.Want(partitions))
        {
            return;
        }
        await slot.IntentLock.WaitAsync(cancellationToken);
        try
        {
            if (slot.Lists(partitions))
            {
                return;
            }
            var wanted = slot.Wanted();
            var text = JsonSerializer.Serialize(new SlotMessage { Slot = slot.Id, Partitions = wanted });
            var visibility = TimeSpan.FromSeconds(_options.IntentVisibilitySeconds);
            if (slot.Intent is not { } intent)
            {
                var sent = await _ingest.SendMessageAsync(text, visibility, cancellationToken: CancellationToken.None);
                slot.Listed(wanted, new IntentReceipt(sent.Value.MessageId, sent.Value.PopReceipt), _time.GetUtcNow());
            }
            else
            {
                try
                {
                    var updated = await _ingest.UpdateMessageAsync(intent.MessageId, intent.PopReceipt, text, visibility, CancellationToken.None);
                    slot.Listed(wanted, intent with { PopReceipt = updated.Value.PopReceipt }, _time.GetUtcNow());
                }
                catch (RequestFailedException ex) when (IsStaleReceipt(ex))
                {
                    await ReplaceIntentAsync(slot, wanted);
                }
            }
        }
        finally
        {
            slot.IntentLock.Release();
        }
    }

    /// <summary>
    /// Whether an update or delete of an intent was refused because the receipt we hold is no longer the message's: the
    /// storage client retried an update whose answer was lost after it had been applied (which changed the receipt).
    /// </summary>
    private static bool IsStaleReceipt(RequestFailedException ex) =>
        ex.Status == 404 || (ex.Status == 400 && ex.ErrorCode == "PopReceiptMismatch");

    /// <summary>
    /// Lists the slot in a new intent, for one whose receipt was lost. The old intent can then neither be renewed nor
    /// deleted: it appears when its time is up, and its recovery finds the slot applied (its markers) and changes nothing.
    /// </summary>
    private async Task ReplaceIntentAsync(IngestSlot slot, IReadOnlyList<string> partitions)
    {
        var text = JsonSerializer.Serialize(new SlotMessage { Slot = slot.Id, Partitions = partitions });
        var sent = await _ingest.SendMessageAsync(text, TimeSpan.FromSeconds(_options.IntentVisibilitySeconds), cancellationToken: CancellationToken.None);
        slot.Listed(partitions, new IntentReceipt(sent.Value.MessageId, sent.Value.PopReceipt), _time.GetUtcNow());
        _logger.LogInformation("Slot {Slot} lost the receipt of its intent; listed it in a new one", slot.Id);
    }

    private async Task RenewAsync(IngestSlot slot)
    {
        if (!await slot.IntentLock.WaitAsync(0))
        {
            return;
        }
        try
        {
            if (slot.Intent is { } intent)
            {
                try
                {
                    var updated = await _ingest.UpdateMessageAsync(intent.MessageId, intent.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(_options.IntentVisibilitySeconds));
                    slot.Renewed(intent with { PopReceipt = updated.Value.PopReceipt }, _time.GetUtcNow());
                }
                catch (RequestFailedException ex) when (IsStaleReceipt(ex))
                {
                    await ReplaceIntentAsync(slot, slot.Wanted());
                }
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or IOException or OperationCanceledException or HttpRequestException)
        {
            _logger.LogWarning(ex, "Could not renew the intent of slot {Slot}; if it appears, recovery rebuilds the slot", slot.Id);
        }
        finally
        {
            slot.IntentLock.Release();
        }
    }

    /// <summary>
    /// Turns the slot's intent into its work and makes it visible (or deletes it when nothing was written). When that
    /// cannot be done — an uncertain write cannot be checked, or the queue cannot be reached — the intent is left to
    /// appear and recovery does it from storage.
    /// </summary>
    private async Task SealAsync(IngestSlot slot)
    {
        try
        {
            var items = slot.Items();
            foreach (var resolve in slot.Uncertain())
            {
                items.AddRange(await resolve(CancellationToken.None));
            }
            await slot.IntentLock.WaitAsync();
            try
            {
                if (slot.Intent is not { } intent)
                {
                    return;
                }
                if (items.Count == 0)
                {
                    await DeleteIntentAsync(intent);
                }
                else if (_options.ApplyOnWriter && await TryApplyAsync(slot.Id, items))
                {
                    await DeleteIntentAsync(intent);
                }
                else
                {
                    var work = await WorkAsync(slot.Id, items);
                    try
                    {
                        await _ingest.UpdateMessageAsync(intent.MessageId, intent.PopReceipt, work, TimeSpan.Zero);
                    }
                    catch (RequestFailedException ex) when (IsStaleReceipt(ex))
                    {
                        // Our receipt is stale: send the work on its own. Should the intent still be there, it appears
                        // later and its recovery finds the slot applied (its markers); applying work twice changes nothing.
                        await _ingest.SendMessageAsync(work);
                    }
                }
            }
            finally
            {
                slot.IntentLock.Release();
            }
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the intent stays and recovery rebuilds the slot: nothing is lost by giving up here.
            _logger.LogWarning(ex, "Slot {Slot} could not be sealed; its intent appears in {Seconds} s and recovery rebuilds it", slot.Id, _options.IntentVisibilitySeconds);
        }
        finally
        {
            lock (_gate)
            {
                _live.Remove(slot);
            }
        }
    }

    private async Task DeleteIntentAsync(IntentReceipt intent)
    {
        try
        {
            await _ingest.DeleteMessageAsync(intent.MessageId, intent.PopReceipt);
        }
        catch (RequestFailedException ex) when (IsStaleReceipt(ex))
        {
            // A delete retried after its answer was lost (the intent is gone), or an intent replaced meanwhile (it appears, and its recovery changes nothing).
        }
    }

    /// <summary>
    /// Applies the slot's work here, without a queue round trip; false when that failed, and the work goes through the queue.
    /// </summary>
    private async Task<bool> TryApplyAsync(string slotId, IReadOnlyList<ViewItem> items)
    {
        try
        {
            await _writer.ApplyAsync(slotId, items);
            return true;
        }
        catch (Exception ex)
        {
            // Whatever failed, the queue's function applies the work again, and what was applied here meets its markers.
            _logger.LogWarning(ex, "Slot {Slot} could not be applied on its writer; its work goes through the ingest queue", slotId);
            return false;
        }
    }

    /// <summary>The work message: the items themselves, or — past what a queue message holds — a blob of them it names.</summary>
    private async Task<string> WorkAsync(string slotId, IReadOnlyList<ViewItem> items)
    {
        var text = JsonSerializer.Serialize(new SlotMessage { Slot = slotId, Items = items });
        if (text.Length <= MaxInlineWorkBytes)
        {
            return text;
        }
        await _overflow.GetBlobClient(OverflowBlob(slotId)).UploadAsync(BinaryData.FromString(text), overwrite: true);
        return JsonSerializer.Serialize(new SlotMessage { Slot = slotId, Overflow = true });
    }

    /// <summary>Time first, so slot ids (and the review queue, which is ordered by them) sort by when they opened.</summary>
    private string NewSlotId(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture) + _instance + (++_counter).ToString("x6", CultureInfo.InvariantCulture);

    private static string RandomInstanceId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
}

/// <summary>A request's place in a slot: say what was written (or that it is uncertain), or abandon it.</summary>
public sealed class SlotTicket
{
    private readonly IngestJournal _journal;
    private readonly IngestSlot _slot;
    private int _done;

    internal SlotTicket(IngestJournal journal, IngestSlot slot)
    {
        _journal = journal;
        _slot = slot;
    }

    /// <summary>The slot id, which every row written under this ticket carries (the <c>Slot</c> property).</summary>
    public string Slot => _slot.Id;

    /// <param name="items">What was certainly written.</param>
    /// <param name="uncertain">
    /// For writes whose outcome is unknown (no answer came back): reads what was stored, when the slot is sealed, and
    /// returns its items (none when it was not stored).
    /// </param>
    public void Complete(IEnumerable<ViewItem> items, Func<CancellationToken, Task<IReadOnlyList<ViewItem>>>? uncertain = null) => Finish(() =>
    {
        _slot.Add(items);
        if (uncertain is not null)
        {
            _slot.AddUncertain(uncertain);
        }
    });

    /// <summary>Nothing was written (validation failed, a conflict, a replay).</summary>
    public void Abandon() => Finish(static () => { });

    private void Finish(Action record)
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }
        record();
        if (_slot.Release())
        {
            _journal.Finished(_slot);
        }
    }
}

internal sealed record IntentReceipt(string MessageId, string PopReceipt);
