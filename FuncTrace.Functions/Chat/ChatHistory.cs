using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Chat;

/// <summary>
/// A conversation's messages as a tree: each names its parent, and the <b>active branch</b> is the path from the root to
/// the newest message (a regenerated reply, or a message sent under an older one, becomes the newest, so the branch
/// follows it). The newest messages come from one descending range of the conversation's partition; the branch is then
/// walked back through parent ids, point-reading only ancestors older than that window. Every walk is bounded.
/// </summary>
public sealed class ChatHistory(EventReader reader)
{
    /// <summary>The newest chat messages, newest first: at most <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<ChatMessageRecord>> RecentAsync(string tenant, string conversationId, int count, CancellationToken cancellationToken = default)
    {
        var page = await reader.ListConversationAsync(tenant,
            new EventQuery(conversationId, ChatMessageRecord.EventType, null, null, Math.Max(1, count), null, Descending: true), cancellationToken);
        return page.Events.Where(ChatMessageRecord.Is).Select(ChatMessageRecord.From).ToList();
    }

    /// <summary>The chat message <paramref name="id"/> of this conversation, or null when there is none.</summary>
    public async Task<ChatMessageRecord?> GetAsync(string tenant, string conversationId, string id, CancellationToken cancellationToken = default)
    {
        var stored = await reader.GetAsync(tenant, id, cancellationToken);
        return stored is not null && stored.Record.ConversationId == conversationId && ChatMessageRecord.Is(stored.Record)
            ? ChatMessageRecord.From(stored.Record)
            : null;
    }

    /// <summary>
    /// The branch that ends at <paramref name="last"/>, oldest first, at most <paramref name="max"/> messages long (the
    /// newest ones), and whether it goes on further back. <paramref name="known"/> saves reads of messages already at hand.
    /// </summary>
    public async Task<(List<ChatMessageRecord> Branch, bool More)> BranchAsync(string tenant, ChatMessageRecord last, int max,
        IReadOnlyList<ChatMessageRecord> known, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(last);
        ArgumentNullException.ThrowIfNull(known);
        var byId = known.GroupBy(m => m.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var branch = new List<ChatMessageRecord>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var message = last; message is not null && branch.Count < max && seen.Add(message.Id);)
        {
            branch.Add(message);
            message = message.ParentId is not { } parent
                ? null
                : byId.GetValueOrDefault(parent) ?? await GetAsync(tenant, last.ConversationId, parent, cancellationToken);
        }
        branch.Reverse();
        return (branch, branch.Count > 0 && branch[0].ParentId is not null && branch.Count == max);
    }

    /// <summary>
    /// What the model is shown of <paramref name="branch"/>: its newest messages within <paramref name="maxCharacters"/>,
    /// oldest first, leaving out replies that hold no text (a reply that only asked for tools, or one cut off at once).
    /// </summary>
    public static List<LlmMessage> ForModel(IReadOnlyList<ChatMessageRecord> branch, int maxCharacters)
    {
        ArgumentNullException.ThrowIfNull(branch);
        var messages = new List<LlmMessage>();
        var characters = 0;
        for (var i = branch.Count - 1; i >= 0; i--)
        {
            var message = branch[i];
            if (string.IsNullOrWhiteSpace(message.Content))
            {
                continue;
            }
            characters += message.Content.Length;
            if (characters > maxCharacters)
            {
                break;
            }
            messages.Add(new LlmMessage(message.Role, message.Content));
        }
        messages.Reverse();
        return messages;
    }
}
