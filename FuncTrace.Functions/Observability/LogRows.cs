using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Observability;

/// <summary>
/// Log rows, in the events table. Each entry is written to the partitions a listing reads — every level and its own
/// level, per day for the tenant (<c>o|{tenant}|t|{level|*}|{yyyyMMdd}</c>) and, when it names a session, for the session
/// (<c>o|{tenant}|s|{H8(session)}|{level|*}</c>) — always with the same row key, newest first
/// (<c>{inverse ms, 13 digits}{8 random}</c>), so writing it again replaces it with itself.
/// Idempotency-Key pointers: <c>o|{tenant}|k</c>, row key the key's id, with the whole entry.
/// </summary>
public static class LogRows
{
    public const string AnyLevel = "*";
    private const long MaxMs = 9_999_999_999_999;

    public static string NewId(DateTimeOffset now) =>
        (MaxMs - now.ToUnixTimeMilliseconds()).ToString("D13", CultureInfo.InvariantCulture)
        + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();

    public static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string TenantPartition(string tenant, string level, string day) => $"o|{tenant}|t|{level}|{day}";

    public static string SessionPartition(string tenant, string sessionId, string level) => $"o|{tenant}|s|{EventKeys.Hash(sessionId)}|{level}";

    public static string KeyPartition(string tenant) => $"o|{tenant}|k";

    /// <summary>The partitions the entry is listed in.</summary>
    public static IEnumerable<string> Partitions(string tenant, LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var day = Day(entry.Timestamp);
        yield return TenantPartition(tenant, AnyLevel, day);
        yield return TenantPartition(tenant, entry.Level, day);
        if (entry.SessionId is { } session)
        {
            yield return SessionPartition(tenant, session, AnyLevel);
            yield return SessionPartition(tenant, session, entry.Level);
        }
    }

    public static TableEntity Row(string partition, LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var row = new TableEntity(partition, entry.LogId)
        {
            ["Level"] = entry.Level,
            ["Message"] = entry.Message,
            ["Timestamp_"] = entry.Timestamp,
        };
        if (entry.Metadata is { } metadata)
        {
            row["Metadata"] = EventRows.CompactJson(metadata);
        }
        if (entry.SessionId is not null)
        {
            row["SessionId"] = entry.SessionId;
        }
        return row;
    }

    public static LogEntry Entry(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new LogEntry(
            row.GetString("LogId") ?? row.RowKey,
            row.GetString("Level"),
            row.GetString("Message"),
            row.GetString("Metadata") is { } metadata ? Shared.JsonBody.ParseStored(metadata) : null,
            row.GetString("SessionId"),
            row.GetDateTimeOffset("Timestamp_") ?? default);
    }
}
