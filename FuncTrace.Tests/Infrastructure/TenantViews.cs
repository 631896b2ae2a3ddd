using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// A tenant's derived views read straight from the views table (as the features that serve them will): counters and
/// usage summed over the activity shards, and a snapshot of every row to show that something changed nothing.
/// </summary>
public sealed class TenantViews(TableClient views, string tenant)
{
    public async Task<long> CounterAsync(string name)
    {
        long total = 0;
        foreach (var partition in ViewKeys.ActivityPartitions(tenant))
        {
            var row = (await views.GetEntityIfExistsAsync<TableEntity>(partition, ViewKeys.Counters)).ValueOrNull();
            total += row?.GetInt64(name) ?? 0;
        }
        return total;
    }

    /// <summary>Usage rows of one kind (<see cref="ViewKeys.UsageByDay"/> or <see cref="ViewKeys.UsageByMonth"/>), summed by key over the shards.</summary>
    public async Task<Dictionary<string, (long Prompt, long Completion, long Total, long Events)>> UsageAsync(string kind)
    {
        var usage = new Dictionary<string, (long, long, long, long)>(StringComparer.Ordinal);
        foreach (var row in await RowsAsync(ViewKeys.ActivityPartitions(tenant), kind))
        {
            var (p, c, t, e) = usage.GetValueOrDefault(row.RowKey);
            usage[row.RowKey] = (p + (row.GetInt64("PromptTokens") ?? 0), c + (row.GetInt64("CompletionTokens") ?? 0),
                t + (row.GetInt64("TotalTokens") ?? 0), e + (row.GetInt64("Events") ?? 0));
        }
        return usage;
    }

    /// <summary>A conversation's summary row, or null before its first slot is applied.</summary>
    public async Task<TableEntity?> SummaryAsync(string conversationId) =>
        (await views.GetEntityIfExistsAsync<TableEntity>(ViewKeys.ConversationPartition(tenant, conversationId), ViewKeys.Summary(conversationId))).ValueOrNull();

    /// <summary>Every view row of the tenant but the slot markers, each as its key and properties.</summary>
    public async Task<SortedDictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in await RowsAsync(ViewKeys.ActivityPartitions(tenant).Concat(ViewKeys.ConversationPartitions(tenant)), string.Empty))
        {
            if (row.RowKey.StartsWith("m|", StringComparison.Ordinal))
            {
                continue;
            }
            var properties = row.Keys.Where(k => k is not ("odata.etag" or "Timestamp" or "PartitionKey" or "RowKey"))
                .Order(StringComparer.Ordinal).ToDictionary(k => k, k => row[k]?.ToString());
            snapshot[row.PartitionKey + " " + row.RowKey] = JsonSerializer.Serialize(properties);
        }
        return snapshot;
    }

    private async Task<List<TableEntity>> RowsAsync(IEnumerable<string> partitions, string prefix)
    {
        var rows = new List<TableEntity>();
        foreach (var partition in partitions)
        {
            var filter = prefix.Length == 0
                ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + (char)(prefix[^1] + 1)}");
            await foreach (var row in views.QueryAsync<TableEntity>(filter))
            {
                rows.Add(row);
            }
        }
        return rows;
    }
}
