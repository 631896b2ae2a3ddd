namespace FuncTrace.Functions.Views;

/// <summary>
/// At most how many rows a chunk of a slot's items writes in one activity partition (<see cref="ActivityPlan"/>), counted
/// as items join it and without reading anything, so a chunk never passes one transaction and a slot applied again is
/// cut the same way. Each bucket's parts are bounded from its items' lengths (<see cref="BucketItem.MaxParts"/>); usage
/// and verdict-day rows are counted by key; a verdict may rewrite one part of its review bucket and delete its lease.
/// </summary>
internal sealed class ActivityRowBudget(int shard, bool own)
{
    private readonly Dictionary<BucketKey, Bucket> _buckets = [];
    private readonly HashSet<string> _keyed = new(StringComparer.Ordinal);
    private int _bucketRows;
    private int _verdictRows;

    /// <summary>Rows so far, with the counters row.</summary>
    public int Rows => 1 + _bucketRows + _keyed.Count + _verdictRows;

    /// <summary>What <paramref name="item"/> would add: its buckets grown, its new keyed rows, its verdict rows.</summary>
    public ItemRows RowsFor(ViewItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        List<(BucketKey Key, int Length)> buckets = [];
        List<string> keyed = [];
        if (own && item.Kind == ViewItemKind.Event)
        {
            var length = BucketItem.JsonLength(BucketItem.Of(item));
            var second = item.Timestamp.ToUnixTimeSeconds();
            buckets.Add((new BucketKey(BucketKind.Timeline, null, second), length));
            buckets.Add((new BucketKey(BucketKind.Type, item.Type, second), length));
            if (item.NeedsReview)
            {
                buckets.Add((new BucketKey(BucketKind.Review, null, 0), length));
            }
            if (ActivityPlan.HasUsage(item))
            {
                keyed.AddRange(ActivityPlan.UsageKeys(item));
            }
        }
        if (own && item.Kind == ViewItemKind.Verdict)
        {
            keyed.Add(ViewKeys.VerdictsOn(item.Timestamp));
        }
        var verdictRows = ActivityPlan.LeavesReviewIn(item, shard) ? 2 : 0;
        var added = verdictRows + keyed.Distinct(StringComparer.Ordinal).Count(k => !_keyed.Contains(k));
        foreach (var (key, length) in buckets)
        {
            var bucket = _buckets.GetValueOrDefault(key);
            added += key.Weight * (bucket.With(length).Parts - bucket.Parts);
        }
        return new ItemRows(added, buckets, keyed, verdictRows);
    }

    public void Add(ItemRows rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var (key, length) in rows.Buckets)
        {
            var bucket = _buckets.GetValueOrDefault(key);
            var grown = bucket.With(length);
            _bucketRows += key.Weight * (grown.Parts - bucket.Parts);
            _buckets[key] = grown;
        }
        _keyed.UnionWith(rows.Keyed);
        _verdictRows += rows.VerdictRows;
    }

    internal sealed record ItemRows(int Added, IReadOnlyList<(BucketKey Key, int Length)> Buckets, IReadOnlyList<string> Keyed, int VerdictRows);

    internal enum BucketKind
    {
        Timeline,
        Type,
        Review,
    }

    /// <summary>A bucket of the chunk: the timeline and per-type ones are written twice (ascending and descending).</summary>
    internal readonly record struct BucketKey(BucketKind Kind, string? Type, long Second)
    {
        public int Weight => Kind == BucketKind.Review ? 1 : 2;
    }

    /// <summary>A bucket's items so far: how many, their characters with separators, the longest.</summary>
    private readonly record struct Bucket(int Count, long Chars, int Longest)
    {
        public int Parts => Count == 0 ? 0 : BucketItem.MaxParts(Count, Chars, Longest);

        public Bucket With(int length) => new(Count + 1, (Count == 0 ? 1 : Chars) + length + 1, Math.Max(Longest, length));
    }
}
