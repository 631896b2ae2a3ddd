using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Sessions;

/// <summary>
/// A session as the sessions face shows it: its own row (name, metadata, status, its events' count and last activity,
/// all read at once) and the owner its conversation's summary found, once the views have built it.
/// </summary>
public sealed record SessionRecord(
    string SessionId,
    string? Name,
    JsonElement? Metadata,
    DateTimeOffset CreatedAt,
    string Status,
    DateTimeOffset LastActivity,
    long EventCount,
    long MessageCount,
    string? Owner)
{
    /// <param name="archived">Whether its conversation was archived (through the conversations face, say).</param>
    public static SessionRecord From(TableEntity row, string? owner, bool archived)
    {
        ArgumentNullException.ThrowIfNull(row);
        var createdAt = row.GetDateTimeOffset("CreatedAt") ?? default;
        return new(
            row.GetString("SessionId"),
            row.GetString("Name"),
            row.GetString("Metadata") is { } metadata ? JsonBody.ParseStored(metadata) : null,
            createdAt,
            archived || row.GetString("Status") == SessionRows.Archived ? SessionRows.Archived : SessionRows.Active,
            row.GetDateTimeOffset("LastActivity") ?? createdAt,
            row.GetInt64("LastSequence") ?? 0,
            row.GetInt64("MessageCount") ?? 0,
            owner);
    }
}
