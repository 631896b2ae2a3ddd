using System.Text;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Conversations;

/// <summary>What <c>GET api/conversations/{id}/search</c> looks for: <see cref="Text"/> in the messages, from <see cref="Cursor"/> on.</summary>
public sealed record ConversationSearchQuery(string ConversationId, string Text, int Limit, string? Cursor);

/// <summary>A message that holds the text, with a little of what surrounds it.</summary>
public sealed record SearchMatch(string EventId, string EventType, string? Role, DateTimeOffset Timestamp, string? ParentId, string Snippet);

/// <summary>The matches found in this request's share of the conversation, and where the next request goes on (null: the end).</summary>
public sealed record SearchPage(IReadOnlyList<SearchMatch> Matches, int Scanned, string? NextCursor);

/// <summary>
/// Finds text in one conversation's messages (user and assistant turns: the words <see cref="MessageText"/> reads),
/// ignoring case. Table Storage cannot search text, so the conversation's rows are read in order and matched here; one
/// request reads at most <see cref="MaxScanned"/> rows and answers with what it found and a cursor to go on from, even
/// when that is fewer than the limit. Only message rows have their data read (from a blob when it is large).
/// </summary>
public sealed class ConversationSearch(EventReader reader)
{
    public const int MaxQueryLength = 200;
    public const int MaxScanned = 1000;
    private const int ReadBatch = 200;
    private const int SnippetContext = 80;
    private const string CursorPrefix = "s1:";

    public async Task<SearchPage> SearchAsync(string tenant, ConversationSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = DecodeCursor(query.Cursor);
        var matches = new List<SearchMatch>();
        var scanned = 0;
        while (scanned < MaxScanned)
        {
            var rows = await reader.RowsAfterAsync(tenant, query.ConversationId, after, Math.Min(ReadBatch, MaxScanned - scanned), cancellationToken);
            var batch = rows.Take(Math.Min(ReadBatch, MaxScanned - scanned)).ToList();
            for (var i = 0; i < batch.Count; i++)
            {
                scanned++;
                after = EventRows.SortKeyOf(batch[i]);
                if (await MatchAsync(batch[i], query.Text, cancellationToken) is { } match)
                {
                    matches.Add(match);
                    if (matches.Count == query.Limit)
                    {
                        var more = i < batch.Count - 1 || rows.Count > batch.Count;
                        return new SearchPage(matches, scanned, more ? EncodeCursor(after) : null);
                    }
                }
            }
            if (rows.Count <= batch.Count)
            {
                return new SearchPage(matches, scanned, null);
            }
        }
        return new SearchPage(matches, scanned, EncodeCursor(after!));
    }

    /// <summary>The search text: required, at most <see cref="MaxQueryLength"/> characters.</summary>
    public static string ValidateText(string? text)
    {
        var value = Validation.Required(text?.Trim(), "q", MaxQueryLength);
        return value.Any(char.IsControl) ? throw FuncTraceException.Validation("'q' may not contain control characters.", "q") : value;
    }

    private async Task<SearchMatch?> MatchAsync(TableEntity row, string text, CancellationToken cancellationToken)
    {
        if (!MessageText.IsMessage(EventRows.DocOf(row).Role, row.GetString("EventType")))
        {
            return null;
        }
        var record = await reader.ReadAsync(row, cancellationToken);
        foreach (var words in new[] { MessageText.UserText(record.Role, record.EventType, record.Data), MessageText.AssistantText(record.Role, record.EventType, record.Data) })
        {
            var at = words?.IndexOf(text, StringComparison.OrdinalIgnoreCase) ?? -1;
            if (at >= 0)
            {
                return new SearchMatch(record.Id, record.EventType, record.Role, record.Timestamp, record.ParentId, Snippet(words!, at, text.Length));
            }
        }
        return null;
    }

    /// <summary>The match with up to <see cref="SnippetContext"/> characters either side, marked with "…" where cut.</summary>
    private static string Snippet(string words, int at, int length)
    {
        var start = Math.Max(0, at - SnippetContext);
        var end = Math.Min(words.Length, at + length + SnippetContext);
        if (start > 0 && char.IsLowSurrogate(words[start]))
        {
            start--;
        }
        if (end < words.Length && char.IsLowSurrogate(words[end]))
        {
            end++;
        }
        return (start > 0 ? "…" : string.Empty) + words[start..end] + (end < words.Length ? "…" : string.Empty);
    }

    private static string EncodeCursor(string sortKey) => Base64Url.Encode(Encoding.UTF8.GetBytes(CursorPrefix + sortKey));

    private static string? DecodeCursor(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }
        var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        return text is not null && text.StartsWith(CursorPrefix, StringComparison.Ordinal) && EventKeys.IsSortKey(text[CursorPrefix.Length..])
            ? text[CursorPrefix.Length..]
            : throw FuncTraceException.Validation("The cursor does not belong to this search; start again without it.", "cursor");
    }
}
