using System.Collections.Concurrent;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Views;

/// <summary>
/// The last known state (with ETag) of the view rows this instance updates — counters, usage totals, summaries, review
/// buckets — so a slot's update normally reads nothing first. A stale entry only costs a retry: the write's ETag check
/// fails, the entry is dropped, and the row is read again.
/// </summary>
public sealed class ViewRowCache
{
    private const int MaxEntries = 50_000;
    private readonly ConcurrentDictionary<(string, string), TableEntity?> _rows = new();

    /// <summary>The row, from the cache or storage; null when it does not exist.</summary>
    public async Task<TableEntity?> GetAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_rows.TryGetValue((partitionKey, rowKey), out var cached))
        {
            return cached is null ? null : Copy(cached);
        }
        var row = (await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken)).ValueOrNull();
        Remember(partitionKey, rowKey, row);
        return row is null ? null : Copy(row);
    }

    /// <summary>What a successful write left: the row's new content and ETag, or that it is gone.</summary>
    public void Remember(string partitionKey, string rowKey, TableEntity? row)
    {
        if (_rows.Count >= MaxEntries)
        {
            _rows.Clear();
        }
        _rows[(partitionKey, rowKey)] = row;
    }

    public void Forget(string partitionKey)
    {
        foreach (var key in _rows.Keys.Where(k => k.Item1 == partitionKey))
        {
            _rows.TryRemove(key, out _);
        }
    }

    private static TableEntity Copy(TableEntity row) => new(row) { ETag = row.ETag };
}
