using Azure.Data.Tables;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Feedback;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Views;

/// <summary>
/// Rebuilds the work of a slot whose instance died before queuing it: every row tagged with the slot in the partitions
/// its intent lists (events, feedback and a session's own row carry their slot; so does a batch job's row, which the
/// intent names as <see cref="BatchJobRows.SlotPartition"/>), turned into items exactly as when they were written.
/// </summary>
public sealed class SlotRecovery(TableServiceClient tables, StorageNames names, ViewWriter writer, ILogger<SlotRecovery> logger)
{
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));
    private readonly TableClient _jobs = tables.GetTableClient(names.Table(StorageNames.JobsTable));

    public async Task RecoverAsync(SlotMessage intent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var items = new List<ViewItem>();
        foreach (var partition in intent.Partitions ?? [])
        {
            if (partition.StartsWith(BatchJobRows.SlotPartitionPrefix, StringComparison.Ordinal))
            {
                var job = (await _jobs.GetEntityIfExistsAsync<TableEntity>(BatchJobRows.JobIdOfSlotPartition(partition), BatchJobRows.Job, ["PartitionKey", "Tenant", "CreatedAt", "Slot"], cancellationToken)).ValueOrNull();
                if (job?.GetString("Slot") == intent.Slot)
                {
                    items.Add(BatchJobRows.ToViewItem(job));
                }
                continue;
            }
            var tenant = partition.Split('|')[1];
            await foreach (var row in _events.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Slot eq {intent.Slot}"), cancellationToken: cancellationToken))
            {
                if (row.RowKey.StartsWith(EventKeys.EventPrefix, StringComparison.Ordinal))
                {
                    items.AddRange(EventRows.ToViewItems(tenant, row));
                }
                else if (row.RowKey.StartsWith(EventKeys.FeedbackPrefix, StringComparison.Ordinal))
                {
                    items.Add(FeedbackRows.ToViewItem(tenant, row));
                }
                else if (row.RowKey == EventKeys.SessionRow)
                {
                    items.Add(SessionRows.ToViewItem(tenant, row));
                }
            }
        }
        logger.LogWarning("Recovering slot {Slot}: {Count} items from {Partitions} partitions", intent.Slot, items.Count, intent.Partitions?.Count ?? 0);
        await writer.ApplyAsync(intent.Slot, items, cancellationToken);
    }
}
