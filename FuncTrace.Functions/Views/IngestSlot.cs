namespace FuncTrace.Functions.Views;

/// <summary>
/// One slot's state inside <see cref="IngestJournal"/>: its intent (which partitions it lists, the message's receipt),
/// the writes still running, and what they wrote. Thread-safe: requests and the journal's timer touch it at once.
/// </summary>
internal sealed class IngestSlot(string id, DateTimeOffset openedAt)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _wanted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly List<ViewItem> _items = [];
    private readonly List<Func<CancellationToken, Task<IReadOnlyList<ViewItem>>>> _uncertain = [];
    private int _pending;
    private int _bytes;
    private bool _closed;
    private bool _sealing;
    private DateTimeOffset _intentWrittenAt;

    public string Id { get; } = id;
    public DateTimeOffset OpenedAt { get; } = openedAt;

    /// <summary>Serialises this slot's intent operations (send, update, renew, delete).</summary>
    public SemaphoreSlim IntentLock { get; } = new(1, 1);

    public IntentReceipt? Intent { get; private set; }

    /// <summary>Whether another write of about <paramref name="bytes"/> may join (open, not full, not too old).</summary>
    public bool Accepts(int bytes, DateTimeOffset now, IngestOptions options)
    {
        lock (_gate)
        {
            return !_closed
                && now - OpenedAt < TimeSpan.FromMilliseconds(options.SlotMilliseconds)
                && (_bytes == 0 || _bytes + bytes <= options.MaxSlotBytes);
        }
    }

    public void Reserve(int bytes)
    {
        lock (_gate)
        {
            _pending++;
            _bytes += bytes;
        }
    }

    /// <summary>Adds the partitions to what the intent must list; true when it already lists them all.</summary>
    public bool Want(IEnumerable<string> partitions)
    {
        lock (_gate)
        {
            var list = partitions as IReadOnlyCollection<string> ?? partitions.ToList();
            _wanted.UnionWith(list);
            return _listed.IsSupersetOf(list);
        }
    }

    public bool Lists(IReadOnlyCollection<string> partitions)
    {
        lock (_gate)
        {
            return _listed.IsSupersetOf(partitions);
        }
    }

    public List<string> Wanted()
    {
        lock (_gate)
        {
            return _wanted.Order(StringComparer.Ordinal).ToList();
        }
    }

    public void Listed(IReadOnlyList<string> partitions, IntentReceipt receipt, DateTimeOffset at)
    {
        lock (_gate)
        {
            _listed.UnionWith(partitions);
            Intent = receipt;
            _intentWrittenAt = at;
        }
    }

    public void Renewed(IntentReceipt receipt, DateTimeOffset at)
    {
        lock (_gate)
        {
            Intent = receipt;
            _intentWrittenAt = at;
        }
    }

    public bool NeedsRenewal(DateTimeOffset now, TimeSpan interval)
    {
        lock (_gate)
        {
            return Intent is not null && !_sealing && now - _intentWrittenAt >= interval;
        }
    }

    public void Add(IEnumerable<ViewItem> items)
    {
        lock (_gate)
        {
            _items.AddRange(items);
        }
    }

    public void AddUncertain(Func<CancellationToken, Task<IReadOnlyList<ViewItem>>> resolve)
    {
        lock (_gate)
        {
            _uncertain.Add(resolve);
        }
    }

    /// <summary>One write finished; true when none is left running.</summary>
    public bool Release()
    {
        lock (_gate)
        {
            return --_pending == 0;
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>True once, when the slot is closed and its last write has finished: the caller seals it.</summary>
    public bool TryStartSeal()
    {
        lock (_gate)
        {
            if (!_closed || _pending > 0 || _sealing)
            {
                return false;
            }
            _sealing = true;
            return true;
        }
    }

    public List<ViewItem> Items()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public List<Func<CancellationToken, Task<IReadOnlyList<ViewItem>>>> Uncertain()
    {
        lock (_gate)
        {
            return [.. _uncertain];
        }
    }
}
