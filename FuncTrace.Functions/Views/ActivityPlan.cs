using Azure;
using Azure.Data.Tables;

namespace FuncTrace.Functions.Views;

/// <summary>A part of a slot's activity items that fits one transaction; its index names its marker and bucket rows.</summary>
internal sealed record ActivityChunk(int Index, IReadOnlyList<ViewItem> Items);

/// <summary>
/// What one slot does to one activity partition of a tenant. In the slot's own partition: its events' timeline and
/// per-type buckets, its review bucket, usage totals, counters (events, feedback, pending reviews, jobs created) and
/// verdicts per day. In the partition of a judged event's slot: the event leaves that slot's review bucket, its lease is
/// dropped, the pending count falls. Items are cut into chunks of at most <see cref="ViewWriter.MaxRowsPerTransaction"/>
/// rows, in a fixed order, so a slot applied again cuts the same chunks and meets its own markers.
/// </summary>
internal sealed class ActivityPlan(string slot, int shard, int ownShard, IReadOnlyList<ViewItem> items)
{
    /// <summary>Whether <paramref name="item"/> changes activity partition <paramref name="shard"/>.</summary>
    public static bool Touches(ViewItem item, int shard, int ownShard) =>
        shard == ownShard || LeavesReviewIn(item, shard);

    /// <summary>Whether <paramref name="item"/> is a verdict on an event of a slot whose review bucket is in <paramref name="shard"/>.</summary>
    public static bool LeavesReviewIn(ViewItem item, int shard) =>
        item.Kind == ViewItemKind.Verdict && item.ReviewSlot is { } reviewSlot && ViewKeys.SlotShard(reviewSlot) == shard;

    /// <summary>The usage rows (day and month, by user and model) an event with usage adds to.</summary>
    public static string[] UsageKeys(ViewItem item) =>
        [ViewKeys.UsageDay(item.Timestamp, UsageUser(item), item.Model), ViewKeys.UsageMonth(item.Timestamp, UsageUser(item), item.Model)];

    public IReadOnlyList<ActivityChunk> Chunks()
    {
        var ordered = items.OrderBy(i => i.Kind).ThenBy(i => i.SortKey, StringComparer.Ordinal).ThenBy(i => i.Timestamp).ToList();
        var chunks = new List<ActivityChunk>();
        var current = new List<ViewItem>();
        var budget = new ActivityRowBudget(shard, shard == ownShard);
        foreach (var item in ordered)
        {
            var rows = budget.RowsFor(item);
            if (current.Count > 0 && budget.Rows + rows.Added > ViewWriter.MaxRowsPerTransaction)
            {
                chunks.Add(new ActivityChunk(chunks.Count, current));
                current = [];
                budget = new ActivityRowBudget(shard, shard == ownShard);
                rows = budget.RowsFor(item);
            }
            budget.Add(rows);
            current.Add(item);
        }
        if (current.Count > 0)
        {
            chunks.Add(new ActivityChunk(chunks.Count, current));
        }
        return chunks;
    }

    public async Task<List<TableTransactionAction>> BuildAsync(ViewWriter.RowSource rows, ActivityChunk chunk, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>();
        var own = shard == ownShard;
        var events = own ? chunk.Items.Where(i => i.Kind == ViewItemKind.Event).ToList() : [];
        foreach (var (key, json) in Buckets(events, chunk.Index))
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(rows.Partition, key) { [BucketItem.ItemsProperty] = json }));
        }
        if (own)
        {
            actions.AddRange(await UsageAsync(rows, events));
            actions.AddRange(await VerdictDaysAsync(rows, chunk.Items.Where(i => i.Kind == ViewItemKind.Verdict)));
        }
        var removed = chunk.Items.Where(i => LeavesReviewIn(i, shard)).ToList();
        actions.AddRange(await ReviewRemovalsAsync(rows, removed));

        var counters = await rows.GetAsync(ViewKeys.Counters) ?? new TableEntity(rows.Partition, ViewKeys.Counters);
        var isNew = counters.ETag == default;
        if (own)
        {
            Add(counters, "Events", events.Count);
            Add(counters, "PendingReviews", events.Count(e => e.NeedsReview));
            Add(counters, "Feedback", chunk.Items.Count(i => i.Kind is ViewItemKind.Feedback or ViewItemKind.Verdict));
            Add(counters, "Jobs", chunk.Items.Count(i => i.Kind == ViewItemKind.Job));
        }
        Add(counters, "PendingReviews", -removed.Count(i => i.NeedsReview));
        actions.Add(isNew ? new(TableTransactionActionType.Add, counters) : new(TableTransactionActionType.UpdateReplace, counters, counters.ETag));
        return actions;
    }

    /// <summary>Timeline, per-type and review buckets of this chunk's events, each split into rows that fit.</summary>
    private IEnumerable<(string Key, string Json)> Buckets(IReadOnlyList<ViewItem> events, int chunkIndex)
    {
        foreach (var second in events.GroupBy(e => e.Timestamp.ToUnixTimeSeconds()))
        {
            var parts = BucketItem.Parts(second.Select(BucketItem.Of));
            for (var p = 0; p < parts.Count; p++)
            {
                yield return (ViewKeys.Timeline(second.Key, slot, Part(chunkIndex, p)), parts[p]);
                yield return (ViewKeys.TimelineDesc(second.Key, slot, Part(chunkIndex, p)), parts[p]);
            }
        }
        foreach (var typed in events.GroupBy(e => (e.Type, Second: e.Timestamp.ToUnixTimeSeconds())))
        {
            var parts = BucketItem.Parts(typed.Select(BucketItem.Of));
            for (var p = 0; p < parts.Count; p++)
            {
                yield return (ViewKeys.TypeTimeline(typed.Key.Type, typed.Key.Second, slot, Part(chunkIndex, p)), parts[p]);
                yield return (ViewKeys.TypeTimelineDesc(typed.Key.Type, typed.Key.Second, slot, Part(chunkIndex, p)), parts[p]);
            }
        }
        var review = BucketItem.Parts(events.Where(e => e.NeedsReview).Select(BucketItem.Of));
        for (var p = 0; p < review.Count; p++)
        {
            yield return (ViewKeys.Review(slot, Part(chunkIndex, p)), review[p]);
        }
    }

    private static int Part(int chunk, int part) => (chunk * 1000) + part;

    internal static bool HasUsage(ViewItem item) => item.HasUsage || item.Model is not null;

    /// <summary>Users are email addresses: one user's usage is one line whatever the case it was sent in.</summary>
    private static string? UsageUser(ViewItem item) => item.User?.ToLowerInvariant();

    private static async Task<List<TableTransactionAction>> UsageAsync(ViewWriter.RowSource rows, IReadOnlyList<ViewItem> events)
    {
        var actions = new List<TableTransactionAction>();
        var totals = events.Where(HasUsage)
            .SelectMany(e => UsageKeys(e).Select(key => (Key: key, Item: e)))
            .GroupBy(x => x.Key, StringComparer.Ordinal);
        foreach (var total in totals)
        {
            var first = total.First().Item;
            var row = await rows.GetAsync(total.Key) ?? new TableEntity(rows.Partition, total.Key) { ["User"] = UsageUser(first), ["Model"] = first.Model };
            var isNew = row.ETag == default;
            Add(row, "PromptTokens", total.Sum(x => x.Item.PromptTokens));
            Add(row, "CompletionTokens", total.Sum(x => x.Item.CompletionTokens));
            Add(row, "TotalTokens", total.Sum(x => x.Item.TotalTokens));
            Add(row, "Events", total.Count());
            actions.Add(isNew ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, row.ETag));
        }
        return actions;
    }

    private static async Task<List<TableTransactionAction>> VerdictDaysAsync(ViewWriter.RowSource rows, IEnumerable<ViewItem> verdicts)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var day in verdicts.GroupBy(v => ViewKeys.VerdictsOn(v.Timestamp), StringComparer.Ordinal))
        {
            var row = await rows.GetAsync(day.Key) ?? new TableEntity(rows.Partition, day.Key);
            var isNew = row.ETag == default;
            Add(row, "Verdicts", day.Count());
            actions.Add(isNew ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, row.ETag));
        }
        return actions;
    }

    /// <summary>Judged events leave their slot's review bucket (an emptied row is deleted) and their lease is dropped.</summary>
    private static async Task<List<TableTransactionAction>> ReviewRemovalsAsync(ViewWriter.RowSource rows, IReadOnlyList<ViewItem> verdicts)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var bySlot in verdicts.GroupBy(v => v.ReviewSlot!, StringComparer.Ordinal))
        {
            var judged = bySlot.Select(v => v.SortKey).ToHashSet(StringComparer.Ordinal);
            foreach (var part in await rows.RangeAsync(ViewKeys.ReviewPrefix + bySlot.Key + "|"))
            {
                var kept = BucketItem.Read(part.GetString(BucketItem.ItemsProperty)).Where(i => !judged.Contains(i.SortKey)).ToList();
                if (kept.Count == BucketItem.Read(part.GetString(BucketItem.ItemsProperty)).Count)
                {
                    continue;
                }
                actions.Add(kept.Count == 0
                    ? new(TableTransactionActionType.Delete, part, part.ETag)
                    : new(TableTransactionActionType.UpdateReplace, new TableEntity(part.PartitionKey, part.RowKey) { [BucketItem.ItemsProperty] = BucketItem.Parts(kept).Single() }, part.ETag));
            }
            foreach (var sortKey in judged)
            {
                if (await rows.GetAsync(ViewKeys.Lease(sortKey)) is { } lease)
                {
                    actions.Add(new(TableTransactionActionType.Delete, lease, lease.ETag));
                }
            }
        }
        return actions;
    }

    /// <summary>Adds to a counter without ever wrapping: totals saturate at <see cref="long.MaxValue"/>.</summary>
    public static void Add(TableEntity row, string property, long amount)
    {
        var current = row.GetInt64(property) ?? 0;
        row[property] = amount >= 0
            ? (current > long.MaxValue - amount ? long.MaxValue : current + amount)
            : (current < long.MinValue - amount ? long.MinValue : current + amount);
    }
}
