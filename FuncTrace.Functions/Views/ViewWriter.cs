using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Views;

/// <summary>
/// Applies a sealed slot's items to the derived views (<see cref="ViewKeys"/>): per tenant, one transaction in the slot's
/// activity partition (buckets, usage, counters), one in the activity partition of each judged event's slot (its
/// review-queue entry leaves), and one per conversation partition touched by events or new sessions (summaries and the
/// activity list). Each carries
/// the slot's marker, so a slot applied twice changes nothing, and a transaction that lost an ETag race is rebuilt from
/// fresh rows and sent again. Slots applied at once on one instance take turns per partition, so they do not race each
/// other for the same rows; only other instances can make a write retry.
/// </summary>
public sealed class ViewWriter(TableServiceClient tables, StorageNames names, ViewRowCache cache)
{
    /// <summary>One transaction holds at most 100 entities; one of them is the marker.</summary>
    public const int MaxRowsPerTransaction = 99;

    private readonly TableClient _table = tables.GetTableClient(names.Table(StorageNames.ViewsTable));
    private readonly ViewRowCache _cache = cache;
    private readonly SemaphoreSlim[] _partitionTurns = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task ApplyAsync(string slot, IReadOnlyList<ViewItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var updates = new List<Task>();
        foreach (var tenant in items.GroupBy(i => i.Tenant, StringComparer.Ordinal))
        {
            var own = ViewKeys.SlotShard(slot);
            var shards = tenant.Where(i => i.Kind == ViewItemKind.Verdict && i.ReviewSlot is not null)
                .Select(i => ViewKeys.SlotShard(i.ReviewSlot!))
                .Append(own)
                .Distinct();
            foreach (var shard in shards)
            {
                var plan = new ActivityPlan(slot, shard, own, tenant.Where(i => ActivityPlan.Touches(i, shard, own)).ToList());
                updates.Add(ApplyChunksAsync(ViewKeys.ActivityPartition(tenant.Key, shard), slot, plan.Chunks(), plan.BuildAsync, cancellationToken));
            }
            foreach (var partition in tenant.Where(i => i.Kind is ViewItemKind.Event or ViewItemKind.Session).GroupBy(i => ViewKeys.ConversationPartition(tenant.Key, i.Conversation), StringComparer.Ordinal))
            {
                var plan = new ConversationPlan(partition.ToList());
                updates.Add(ApplyChunksAsync(partition.Key, slot, plan.Chunks(), ConversationPlan.BuildAsync, cancellationToken));
            }
        }
        await Task.WhenAll(updates);
    }

    /// <summary>
    /// Sends each chunk as one transaction with its marker. A chunk whose marker exists was applied before and is skipped;
    /// one that lost an ETag race is rebuilt (its rows read again) and retried.
    /// </summary>
    private async Task ApplyChunksAsync<TChunk>(string partition, string slot, IReadOnlyList<TChunk> chunks,
        Func<RowSource, TChunk, CancellationToken, Task<List<TableTransactionAction>>> build, CancellationToken cancellationToken)
    {
        var turn = _partitionTurns[(int)((uint)StringComparer.Ordinal.GetHashCode(partition) % (uint)_partitionTurns.Length)];
        await turn.WaitAsync(cancellationToken);
        try
        {
            await ApplyChunksInTurnAsync(partition, slot, chunks, build, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task ApplyChunksInTurnAsync<TChunk>(string partition, string slot, IReadOnlyList<TChunk> chunks,
        Func<RowSource, TChunk, CancellationToken, Task<List<TableTransactionAction>>> build, CancellationToken cancellationToken)
    {
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var marker = ViewKeys.Marker(slot, i);
            await OptimisticRetry.RunAsync(async () =>
            {
                var rows = new RowSource(this, partition, cancellationToken);
                var actions = await build(rows, chunk, cancellationToken);
                actions.Insert(0, new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, marker)));
                try
                {
                    var responses = await _table.SubmitTransactionAsync(actions, cancellationToken);
                    RememberWritten(actions, responses.Value);
                }
                catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == 0 && ex.Status == 409)
                {
                    // The marker exists: this chunk of the slot was applied before (a re-delivered message, or recovery).
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 or 404)
                {
                    _cache.Forget(partition);
                    throw;
                }
                return true;
            }, ex => ex is TableTransactionFailedException { Status: 409 or 412 or 404 }, cancellationToken);
        }
    }

    private void RememberWritten(List<TableTransactionAction> actions, IReadOnlyList<Response> responses)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = (TableEntity)actions[i].Entity;
            if (actions[i].ActionType == TableTransactionActionType.Delete)
            {
                _cache.Remember(entity.PartitionKey, entity.RowKey, null);
            }
            else if (i < responses.Count && responses[i].Headers.ETag is { } etag)
            {
                _cache.Remember(entity.PartitionKey, entity.RowKey, new TableEntity(entity) { ETag = etag });
            }
        }
    }

    /// <summary>Reads rows of one views partition for a chunk being built: through the cache, or as a range.</summary>
    internal sealed class RowSource(ViewWriter writer, string partition, CancellationToken cancellationToken)
    {
        public string Partition { get; } = partition;

        public Task<TableEntity?> GetAsync(string rowKey) => writer._cache.GetAsync(writer._table, Partition, rowKey, cancellationToken);

        public async Task<List<TableEntity>> RangeAsync(string prefix)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}");
            var rows = new List<TableEntity>();
            await foreach (var row in writer._table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                rows.Add(row);
            }
            return rows;
        }
    }
}
