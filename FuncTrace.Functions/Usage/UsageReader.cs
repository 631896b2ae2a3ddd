using System.Globalization;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Usage;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Usage;

/// <summary>
/// Reads the usage totals the views keep per day and month, user and model (<c>u|d|</c>, <c>u|m|</c>), one row-key range
/// in each of the tenant's activity partitions, and sums the partitions' rows of each line — never the events. Sums
/// saturate, so no total wraps. Cost is computed at read time, so a changed price applies to past usage too.
/// </summary>
public sealed class UsageReader(TableServiceClient tables, StorageNames names, ModelPrices prices)
{
    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));

    public async Task<IReadOnlyList<UsageLine>> ReadAsync(string tenant, UsageQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (prefix, format) = query.GroupBy == UsageQuery.Day ? (ViewKeys.UsageByDay, "yyyyMMdd") : (ViewKeys.UsageByMonth, "yyyyMM");
        var from = prefix + query.From.ToString(format, CultureInfo.InvariantCulture);
        // Rows are {period}|{user}|{model}: '}' sorts after '|', so this ends after every row of the last period.
        var toExclusive = prefix + query.To.ToString(format, CultureInfo.InvariantCulture) + "}";
        var partitions = await Task.WhenAll(ViewKeys.ActivityPartitions(tenant).Select(p => ReadPartitionAsync(p, from, toExclusive, query, cancellationToken)));
        return partitions.SelectMany(rows => rows)
            .GroupBy(row => (Period: Period(row.RowKey, prefix), User: row.GetString("User") ?? string.Empty, Model: row.GetString("Model") ?? string.Empty))
            .Select(line => Line(line.Key.Period, EmptyToNull(line.Key.User), EmptyToNull(line.Key.Model), line.ToList()))
            .OrderBy(l => l.Period, StringComparer.Ordinal).ThenBy(l => l.User, StringComparer.Ordinal).ThenBy(l => l.Model, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<List<TableEntity>> ReadPartitionAsync(string partition, string from, string toExclusive, UsageQuery query, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {toExclusive}");
        if (query.User is { } user)
        {
            filter += " and " + TableClient.CreateQueryFilter($"User eq {user}");
        }
        if (query.Model is { } model)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Model eq {model}");
        }
        var rows = new List<TableEntity>();
        await foreach (var row in _views.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    private UsageLine Line(string period, string? user, string? model, List<TableEntity> rows)
    {
        var prompt = Saturating.Sum(rows, r => r.GetInt64("PromptTokens") ?? 0);
        var completion = Saturating.Sum(rows, r => r.GetInt64("CompletionTokens") ?? 0);
        return new UsageLine(period, user, model, prompt, completion,
            Saturating.Sum(rows, r => r.GetInt64("TotalTokens") ?? 0), Saturating.Sum(rows, r => r.GetInt64("Events") ?? 0),
            prices.Cost(model, prompt, completion));
    }

    /// <summary><c>u|d|20250401|…</c> is the day 2025-04-01, <c>u|m|202504|…</c> the month 2025-04.</summary>
    private static string Period(string rowKey, string prefix)
    {
        var key = rowKey.AsSpan(prefix.Length, rowKey.IndexOf('|', prefix.Length) - prefix.Length);
        return key.Length == 8 ? $"{key[..4]}-{key[4..6]}-{key[6..]}" : $"{key[..4]}-{key[4..]}";
    }

    private static string? EmptyToNull(string value) => value.Length == 0 ? null : value;
}
