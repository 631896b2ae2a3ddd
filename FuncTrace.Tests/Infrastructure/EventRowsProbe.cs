using Azure.Data.Tables;
using FuncTrace.Functions.Events;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>The rows a tenant has in the events table, read with a range over its partitions (a test may scan; the app never does).</summary>
public static class EventRowsProbe
{
    /// <summary>
    /// How many events the tenant's event rows (<c>e|…</c>) hold: one a row, or a page's members (<see cref="PackedEvents"/>).
    /// Each event is in one row only, since its data is stored once.
    /// </summary>
    public static async Task<int> CountStoredEventsAsync(TableClient events, string tenant)
    {
        ArgumentNullException.ThrowIfNull(events);
        var low = EventKeys.PartitionOf(tenant, string.Empty);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey lt {low[..^1] + "}"} and RowKey ge {EventKeys.EventPrefix} and RowKey lt {"e}"}");
        var count = 0;
        await foreach (var row in events.QueryAsync<TableEntity>(filter, select: ["RowKey", "Members"]))
        {
            count += row.GetInt32("Members") ?? 1;
        }
        return count;
    }

    /// <summary>The ingest slots that wrote the tenant's event rows.</summary>
    public static async Task<IReadOnlySet<string>> SlotsAsync(TableClient events, string tenant)
    {
        ArgumentNullException.ThrowIfNull(events);
        var low = EventKeys.PartitionOf(tenant, string.Empty);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey lt {low[..^1] + "}"} and RowKey ge {EventKeys.EventPrefix} and RowKey lt {"e}"}");
        var slots = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in events.QueryAsync<TableEntity>(filter, select: ["Slot"]))
        {
            slots.Add(row.GetString("Slot"));
        }
        return slots;
    }
}
