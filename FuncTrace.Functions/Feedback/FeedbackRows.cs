using Azure.Data.Tables;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Feedback;

/// <summary>
/// Feedback rows sit beside their event in its conversation's partition, <c>f|{sort key}|{feedback id}</c>, so a verdict
/// and the event's new review status are one transaction, and the feedback id in the key makes a replay meet its row.
/// Each carries its ingest slot (and, for a verdict, the slot of the event's review-queue entry) for the views.
/// </summary>
public static class FeedbackRows
{
    public static string RowKey(string sortKey, string feedbackId) => $"{EventKeys.FeedbackPrefix}{sortKey}|{feedbackId}";

    public static string Prefix(string sortKey) => $"{EventKeys.FeedbackPrefix}{sortKey}|";

    public static TableEntity Row(StoredEvent target, FeedbackRecord record, string bodyHash, string slot, string attempt)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(record);
        var row = new TableEntity(target.PartitionKey, RowKey(target.SortKey, record.Id))
        {
            ["Id"] = record.Id,
            ["EventId"] = record.EventId,
            ["EventSortKey"] = target.SortKey,
            ["ConversationId"] = target.Record.ConversationId,
            ["EventType"] = target.Record.EventType,
            ["Status"] = record.Status,
            ["Source"] = record.Source,
            ["Reviewer"] = record.Reviewer,
            ["SubmittedAt"] = record.SubmittedAt,
            ["CreatedAt"] = record.CreatedAt,
            ["BodyHash"] = bodyHash,
            ["Slot"] = slot,
            ["NeedsReview"] = target.Record.RequiresFeedback,
            [EventRows.AttemptProperty] = attempt,
        };
        if (record.Message is not null)
        {
            row["Message"] = record.Message;
        }
        if (record.Value is { } value)
        {
            row["Value"] = value;
        }
        if (target.Slot is { } reviewSlot)
        {
            row["ReviewSlot"] = reviewSlot;
        }
        return row;
    }

    public static FeedbackRecord ToRecord(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(
            row.GetString("Id"),
            row.GetString("EventId"),
            row.GetString("Message"),
            row.GetString("Status"),
            row.GetDouble("Value"),
            row.GetString("Source") ?? "reviewer",
            row.GetString("Reviewer") ?? string.Empty,
            row.GetDateTimeOffset("SubmittedAt") ?? default,
            row.GetDateTimeOffset("CreatedAt") ?? default);
    }

    /// <summary>What the views need of feedback: built from the row itself, when written and in recovery.</summary>
    public static ViewItem ToViewItem(string tenant, TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var status = row.GetString("Status");
        return new ViewItem
        {
            Kind = FeedbackStatus.IsFinal(status) ? ViewItemKind.Verdict : ViewItemKind.Feedback,
            Tenant = tenant,
            SortKey = row.GetString("EventSortKey"),
            Conversation = row.GetString("ConversationId"),
            Type = row.GetString("EventType") ?? string.Empty,
            Timestamp = row.GetDateTimeOffset("CreatedAt") ?? default,
            NeedsReview = row.GetBoolean("NeedsReview") == true,
            ReviewSlot = row.GetString("ReviewSlot"),
            Verdict = FeedbackStatus.IsFinal(status) ? status : null,
        };
    }
}
