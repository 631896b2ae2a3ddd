using System.Globalization;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Sessions;

/// <summary>
/// A session's rows in its conversation's partition of the events table: its own row (<see cref="EventKeys.SessionRow"/>:
/// name, metadata, status, and <c>LastSequence</c>, the number of its last event) and one <c>q|{sequence}</c> row per
/// event, in the order they were stored, pointing at the event's row. A session event's transaction moves
/// <c>LastSequence</c> under the row's ETag and adds both the event and its <c>q|</c> row, so sequences have no gaps and
/// no repeats. The session row carries the slot it was created in (the views take its name and metadata from it).
/// </summary>
public static class SessionRows
{
    public const string Active = "active";
    public const string Archived = "archived";

    public static TableEntity New(string tenant, string sessionId, string? name, string? metadataJson, DateTimeOffset createdAt, string slot)
    {
        var row = new TableEntity(EventKeys.ConversationPartition(tenant, sessionId), EventKeys.SessionRow)
        {
            ["SessionId"] = sessionId,
            ["Status"] = Active,
            ["CreatedAt"] = createdAt,
            ["LastActivity"] = createdAt,
            ["LastSequence"] = 0L,
            ["MessageCount"] = 0L,
            ["Slot"] = slot,
        };
        if (name is not null)
        {
            row["Name"] = name;
        }
        if (metadataJson is not null)
        {
            row["Metadata"] = metadataJson;
        }
        return row;
    }

    /// <summary>The session's row; null when there is none (or the partition's row is another session's, whose id hashes alike).</summary>
    public static async Task<TableEntity?> GetAsync(TableClient events, string tenant, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var row = (await events.GetEntityIfExistsAsync<TableEntity>(EventKeys.ConversationPartition(tenant, sessionId), EventKeys.SessionRow, cancellationToken: cancellationToken)).ValueOrNull();
        return row?.GetString("SessionId") == sessionId ? row : null;
    }

    /// <summary>A sequence number in a row key: ten digits, so keys sort as numbers do.</summary>
    public static string SequenceKey(long sequence) => EventKeys.SequencePrefix + sequence.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>The first key after every sequence row.</summary>
    public static string SequenceEnd => EventKeys.SequencePrefix[..^1] + "}";

    /// <summary>Event number <paramref name="sequence"/>: where its row is, and its type (so a list can filter without reading it).</summary>
    public static TableEntity SequenceRow(TableEntity eventRow, long sequence)
    {
        ArgumentNullException.ThrowIfNull(eventRow);
        return new TableEntity(eventRow.PartitionKey, SequenceKey(sequence))
        {
            ["SortKey"] = EventRows.SortKeyOf(eventRow),
            ["EventType"] = eventRow.GetString("EventType"),
        };
    }

    /// <summary>The session after one more event at <paramref name="time"/>, numbered <paramref name="sequence"/>.</summary>
    public static TableEntity Counted(TableEntity session, long sequence, DateTimeOffset time, bool isMessage)
    {
        ArgumentNullException.ThrowIfNull(session);
        var updated = new TableEntity(session) { ["LastSequence"] = sequence };
        if (isMessage)
        {
            updated["MessageCount"] = (session.GetInt64("MessageCount") ?? 0) + 1;
        }
        if (time > (session.GetDateTimeOffset("LastActivity") ?? default))
        {
            updated["LastActivity"] = time;
        }
        return updated;
    }

    /// <summary>What the views need of a new session: its name and metadata for its conversation's summary.</summary>
    public static ViewItem ToViewItem(string tenant, TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ViewItem
        {
            Kind = ViewItemKind.Session,
            Tenant = tenant,
            SortKey = EventKeys.SessionRow,
            Conversation = row.GetString("SessionId"),
            Timestamp = row.GetDateTimeOffset("CreatedAt") ?? default,
            Name = row.GetString("Name"),
            Metadata = row.GetString("Metadata"),
        };
    }
}
