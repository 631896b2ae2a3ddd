using Azure.Data.Tables;

namespace FuncTrace.Functions.Views;

/// <summary>
/// Bucket rows of one row-key range read side by side from a tenant's activity partitions, handed out one group at a
/// time in key order: every row, from every partition, whose group key (a slot, a second) is the lowest not yet read.
/// What the timeline and the review queue both read; each puts a group's items in its own order.
/// </summary>
public sealed class BucketMerge : IAsyncDisposable
{
    private readonly List<IAsyncEnumerator<TableEntity>> _heads;
    private readonly List<IAsyncEnumerator<TableEntity>> _live = [];
    private readonly Func<TableEntity, string> _groupOf;

    private BucketMerge(List<IAsyncEnumerator<TableEntity>> heads, Func<TableEntity, string> groupOf)
    {
        _heads = heads;
        _groupOf = groupOf;
    }

    /// <summary>Bucket rows read so far.</summary>
    public int RowsRead { get; private set; }

    /// <summary>Whether rows are left unread.</summary>
    public bool HasMore => _live.Count > 0;

    /// <summary>Opens the range <c>[lower, upper)</c> of row keys in each of the tenant's activity partitions.</summary>
    public static async Task<BucketMerge> OpenAsync(TableClient views, string tenant, string lower, string upper, Func<TableEntity, string> groupOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(views);
        var heads = ViewKeys.ActivityPartitions(tenant)
            .Select(partition => views.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {lower} and RowKey lt {upper}"),
                maxPerPage: 100, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken))
            .ToList();
        var merge = new BucketMerge(heads, groupOf);
        try
        {
            foreach (var head in heads)
            {
                if (await head.MoveNextAsync())
                {
                    merge._live.Add(head);
                }
            }
            return merge;
        }
        catch
        {
            await merge.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next group's key and the items of all its rows; null when every row has been read.</summary>
    public async Task<(string Key, List<BucketItem> Items)?> NextAsync()
    {
        if (_live.Count == 0)
        {
            return null;
        }
        var key = _live.Select(h => _groupOf(h.Current)).Min(StringComparer.Ordinal)!;
        var items = new List<BucketItem>();
        foreach (var head in _live.Where(h => _groupOf(h.Current) == key).ToList())
        {
            do
            {
                items.AddRange(BucketItem.Read(head.Current.GetString(BucketItem.ItemsProperty)));
                RowsRead++;
                if (!await head.MoveNextAsync())
                {
                    _live.Remove(head);
                    break;
                }
            }
            while (_groupOf(head.Current) == key);
        }
        return (key, items);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var head in _heads)
        {
            await head.DisposeAsync();
        }
    }
}
