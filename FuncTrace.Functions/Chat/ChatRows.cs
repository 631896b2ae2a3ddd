using Azure;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Chat;

/// <summary>
/// Chat's own rows in a conversation's events partition, beside its messages. A <b>turn</b> row
/// (<c>chat|t|{user message sort key}</c>) says whether the user message is being answered — and by whom, until when —
/// and which reply answered it first; it is written in one transaction with the user message, and with each reply, so
/// a message and its state never disagree. A <b>key</b> row (<c>chat|k|{id}</c>) maps a regenerate's Idempotency-Key to
/// the reply it produced, written in the same transaction as that reply.
/// </summary>
public static class ChatRows
{
    public const string AnsweringState = "answering";
    public const string AnsweredState = "answered";
    public const string FailedState = "failed";

    public static string TurnKey(string userSortKey) => EventKeys.ChatTurnPrefix + userSortKey;

    public static string KeyKey(string id) => EventKeys.ChatKeyPrefix + id;

    /// <summary>A turn being answered by <paramref name="holder"/> until <paramref name="leaseUntil"/>.</summary>
    public static TableEntity Answer(string partition, string userSortKey, string holder, DateTimeOffset leaseUntil, TableEntity? previous = null)
    {
        var row = new TableEntity(partition, TurnKey(userSortKey))
        {
            ["State"] = AnsweringState,
            ["Holder"] = holder,
            ["LeaseUntil"] = leaseUntil,
        };
        CopyReply(previous, row);
        return row;
    }

    /// <summary>The turn answered by <paramref name="replyId"/>; the first reply stays the one a replayed request gets.</summary>
    public static TableEntity Answered(TableEntity turn, string replyId)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var row = new TableEntity(turn.PartitionKey, turn.RowKey)
        {
            ["State"] = AnsweredState,
            ["ReplyId"] = turn.GetString("ReplyId") ?? replyId,
            ["Replies"] = (turn.GetInt64("Replies") ?? 0) + 1,
        };
        return row;
    }

    public static TableEntity Failed(TableEntity turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var row = new TableEntity(turn.PartitionKey, turn.RowKey) { ["State"] = FailedState };
        CopyReply(turn, row);
        return row;
    }

    /// <summary>Whether someone is answering the turn now (its lease has not run out).</summary>
    public static bool IsHeld(TableEntity turn, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(turn);
        return turn.GetString("State") == AnsweringState && turn.GetDateTimeOffset("LeaseUntil") > now;
    }

    public static TableEntity Key(string partition, string id, string replyId) =>
        new(partition, KeyKey(id)) { ["ReplyId"] = replyId };

    /// <summary>The ETag a transaction's answer gave its <paramref name="index"/>th row.</summary>
    public static ETag ETagOf(Response<IReadOnlyList<Response>> written, int index)
    {
        ArgumentNullException.ThrowIfNull(written);
        return written.Value[index].Headers.ETag ?? default;
    }

    private static void CopyReply(TableEntity? from, TableEntity to)
    {
        if (from?.GetString("ReplyId") is { } reply)
        {
            to["ReplyId"] = reply;
        }
        if (from?.GetInt64("Replies") is { } replies)
        {
            to["Replies"] = replies;
        }
    }
}
