using Azure.Data.Tables;
using FuncTrace.Functions.Conversations;

namespace FuncTrace.Functions.Views;

/// <summary>
/// What one slot does to one conversation partition: each conversation's summary takes in the slot's events of it, and
/// its row in the newest-activity-first list moves with its last activity. Three rows per conversation at most (summary,
/// new list row, old list row), so conversations are cut into chunks of <see cref="PerChunk"/>, in id order.
/// </summary>
internal sealed class ConversationPlan(IReadOnlyList<ViewItem> events)
{
    private const int PerChunk = ViewWriter.MaxRowsPerTransaction / 3;

    public IReadOnlyList<IReadOnlyList<IGrouping<string, ViewItem>>> Chunks() => events
        .GroupBy(e => e.Conversation, StringComparer.Ordinal)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Chunk(PerChunk)
        .Select(c => (IReadOnlyList<IGrouping<string, ViewItem>>)c)
        .ToList();

    public static async Task<List<TableTransactionAction>> BuildAsync(ViewWriter.RowSource rows, IReadOnlyList<IGrouping<string, ViewItem>> conversations, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var conversation in conversations)
        {
            var existing = await rows.GetAsync(ViewKeys.Summary(conversation.Key));
            var summary = ConversationRows.Fold(rows.Partition, conversation.Key, existing, conversation);
            actions.Add(existing is null
                ? new(TableTransactionActionType.Add, summary)
                : new(TableTransactionActionType.UpdateReplace, summary, existing.ETag));
            var listRow = ConversationRows.ListRow(summary);
            if (existing is not null && ConversationRows.ListRow(existing).RowKey is var oldKey && oldKey != listRow.RowKey
                && await rows.GetAsync(oldKey) is { } oldRow)
            {
                actions.Add(new(TableTransactionActionType.Delete, oldRow, oldRow.ETag));
            }
            actions.Add(new(TableTransactionActionType.UpsertReplace, listRow));
        }
        return actions;
    }
}
