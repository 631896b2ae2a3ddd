using System.Text;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Conversations;

/// <summary>
/// Conversations, read from the summaries the views keep (<see cref="ConversationRows"/>): the tenant's list, newest
/// activity first, is merged from its <see cref="ViewKeys.Shards"/> conversation partitions; one conversation is a point
/// read. Until the views have built a conversation's summary (within about a second of its first write), it is folded
/// on the spot from the conversation's own rows, exactly as the views will fold them. Archiving hides a conversation from
/// lists and keeps it readable by id; renaming sets its title for good.
/// </summary>
public sealed class ConversationService(TableServiceClient tables, StorageNames names, EventReader events, TimeProvider time)
{
    /// <summary>How many of a conversation's first events a summary is folded from while the views have none yet.</summary>
    public const int ProvisionalEvents = 100;

    private const string ListEnd = "a}";

    private readonly TableClient _views = tables.GetTableClient(names.Table(StorageNames.ViewsTable));
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));

    /// <summary>
    /// Newest activity first: each partition's list rows are read from the cursor on (at most a page and one more each)
    /// and merged by key, which sorts by last activity across partitions.
    /// </summary>
    public async Task<ConversationPage> ListAsync(string tenant, ConversationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = ListCursor.Decode(query.Cursor);
        var heads = ViewKeys.ConversationPartitions(tenant)
            .Select(partition => _views.QueryAsync<TableEntity>(ListFilter(partition, after, query), maxPerPage: Math.Min(query.Limit + 1, 1000), cancellationToken: cancellationToken)
                .GetAsyncEnumerator(cancellationToken))
            .ToList();
        try
        {
            var started = await Task.WhenAll(heads.Select(h => h.MoveNextAsync().AsTask()));
            var live = heads.Where((_, i) => started[i]).ToList();
            var rows = new List<TableEntity>();
            while (live.Count > 0 && rows.Count <= query.Limit)
            {
                var next = live.MinBy(h => h.Current.RowKey, StringComparer.Ordinal)!;
                rows.Add(next.Current);
                if (!await next.MoveNextAsync())
                {
                    live.Remove(next);
                }
            }
            var page = rows.Take(query.Limit).ToList();
            var cursor = rows.Count > query.Limit ? ListCursor.Encode(page[^1].RowKey) : null;
            return new ConversationPage(page.Select(ConversationSummary.FromRow).ToList(), cursor);
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.DisposeAsync();
            }
        }
    }

    /// <summary>The summary, or the one folded now from its rows while the views have none; null when nothing of it exists.</summary>
    public async Task<ConversationSummary?> GetAsync(string tenant, string conversationId, CancellationToken cancellationToken = default)
    {
        if (await SummaryRowAsync(tenant, conversationId, cancellationToken) is { } row)
        {
            return ConversationSummary.FromRow(row);
        }
        return await ProvisionalAsync(tenant, conversationId, cancellationToken) is { } provisional ? ConversationSummary.FromRow(provisional) : null;
    }

    /// <summary>The summary as the views have it; null while they have none.</summary>
    public async Task<ConversationSummary?> SummaryAsync(string tenant, string conversationId, CancellationToken cancellationToken = default) =>
        await SummaryRowAsync(tenant, conversationId, cancellationToken) is { } row ? ConversationSummary.FromRow(row) : null;

    /// <summary>
    /// Archives (soft-deletes) the conversation, hiding it from lists. Archiving twice changes nothing.
    /// </summary>
    public Task<ConversationSummary> ArchiveAsync(string tenant, string conversationId, CancellationToken cancellationToken = default) =>
        ChangeAsync(tenant, conversationId, row => row.GetBoolean("Archived") == true, (row, now) =>
        {
            row["Archived"] = true;
            row["ArchivedAt"] = now;
        }, cancellationToken);

    /// <summary>
    /// Gives the conversation <paramref name="title"/> and marks it set, so later events no longer change it (see
    /// <see cref="ConversationRows.Fold"/>). Renaming to the title it already has changes nothing.
    /// </summary>
    public Task<ConversationSummary> RenameAsync(string tenant, string conversationId, string title, CancellationToken cancellationToken = default) =>
        ChangeAsync(tenant, conversationId, row => row.GetBoolean("TitleSet") == true && row.GetString("Title") == title, (row, _) =>
        {
            row["Title"] = title;
            row["TitleSet"] = true;
        }, cancellationToken);

    /// <summary>
    /// Changes the summary and its list row together, under the summary's ETag, so a view update in between makes this
    /// read and try again. A conversation the views have not summarised yet gets a placeholder summary that they then
    /// count its events into.
    /// </summary>
    private Task<ConversationSummary> ChangeAsync(string tenant, string conversationId, Func<TableEntity, bool> isDone,
        Action<TableEntity, DateTimeOffset> change, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async () =>
        {
            var existing = await SummaryRowAsync(tenant, conversationId, cancellationToken);
            if (existing is not null && isDone(existing))
            {
                return ConversationSummary.FromRow(existing);
            }
            var provisional = existing is null
                ? await ProvisionalAsync(tenant, conversationId, cancellationToken) ?? throw NotFound(conversationId)
                : null;
            var changed = existing is null ? ConversationRows.Placeholder(provisional!) : new TableEntity(existing);
            var now = time.GetUtcNow();
            change(changed, now);
            await _views.SubmitTransactionAsync(
            [
                existing is null ? new(TableTransactionActionType.Add, changed) : new(TableTransactionActionType.UpdateReplace, changed, existing.ETag),
                new(TableTransactionActionType.UpsertReplace, ConversationRows.ListRow(changed)),
            ], CancellationToken.None);
            if (provisional is null)
            {
                return ConversationSummary.FromRow(changed);
            }
            // The placeholder counts nothing yet; the caller sees the counts folded from the events.
            change(provisional, now);
            return ConversationSummary.FromRow(provisional);
        }, ex => ex is TableTransactionFailedException { Status: 409 or 412 }, cancellationToken);

    public static FuncTraceException NotFound(string conversationId) => FuncTraceException.NotFound($"No conversation with id '{conversationId}'.");

    private async Task<TableEntity?> SummaryRowAsync(string tenant, string conversationId, CancellationToken cancellationToken)
    {
        var row = (await _views.GetEntityIfExistsAsync<TableEntity>(
            ViewKeys.ConversationPartition(tenant, conversationId), ViewKeys.Summary(conversationId), cancellationToken: cancellationToken)).ValueOrNull();
        return row?.GetString("ConversationId") == conversationId ? row : null;
    }

    /// <summary>The summary the views will build, folded now from the session's row and the first events; null when there are neither.</summary>
    private async Task<TableEntity?> ProvisionalAsync(string tenant, string conversationId, CancellationToken cancellationToken)
    {
        if (!EventValidation.IsConversationId(conversationId))
        {
            return null;
        }
        var session = SessionRows.GetAsync(_events, tenant, conversationId, cancellationToken);
        var first = events.FirstRowsAsync(tenant, conversationId, ProvisionalEvents, cancellationToken);
        await Task.WhenAll(session, first);
        var items = (await first).Select(row => EventRows.ToViewItem(tenant, row)).ToList();
        if (await session is { } row)
        {
            items.Add(SessionRows.ToViewItem(tenant, row));
        }
        return items.Count == 0 ? null : ConversationRows.Fold(ViewKeys.ConversationPartition(tenant, conversationId), conversationId, null, items);
    }

    private static string ListFilter(string partition, string? after, ConversationQuery query)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {ViewKeys.ActivityPrefix} and RowKey lt {ListEnd}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after} and RowKey lt {ListEnd}");
        if (!query.IncludeArchived)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Archived eq {false}");
        }
        if (query.User is { } user)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Owner eq {user.ToLowerInvariant()}");
        }
        return filter;
    }

    /// <summary>Where a list page ended: the key of its last row, which every partition's next read starts after.</summary>
    private static class ListCursor
    {
        private const string Prefix = "a1:";

        public static string Encode(string rowKey) => Base64Url.Encode(Encoding.UTF8.GetBytes(Prefix + rowKey));

        public static string? Decode(string? cursor)
        {
            if (cursor is null)
            {
                return null;
            }
            var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
            return text is { Length: <= 64 } && text.StartsWith(Prefix + ViewKeys.ActivityPrefix, StringComparison.Ordinal)
                ? text[Prefix.Length..]
                : throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
        }
    }
}
