using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Observability;

/// <summary>
/// Observability logs (<see cref="LogRows"/>). Writing is an upsert of the same rows, so a retry repeats itself; an
/// Idempotency-Key's pointer, written first, keeps the entry, so a replay writes the same rows again and answers with it.
/// Listing reads one partition range per step, newest first: the session's, or the tenant's day partitions back to
/// <see cref="ObservabilityOptions.LogDays"/> days.
/// </summary>
public sealed class LogService(TableServiceClient tables, StorageNames names, SessionService sessions, IOptions<ObservabilityOptions> options, TimeProvider time)
{
    public const int MaxMessageLength = 30_000;
    private readonly TableClient _table = tables.GetTableClient(names.Table(StorageNames.EventsTable));

    public LogEntry Validate(LogRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var level = Level(request.Level) ?? throw FuncTraceException.Validation(
            $"'level' is required: one of {string.Join(", ", LogLevels.All)}.", "level");
        var message = Validation.Required(request.Message, "message", MaxMessageLength);
        var metadata = request.Metadata is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } m ? m : (JsonElement?)null;
        if (metadata is { } given && (given.ValueKind != JsonValueKind.Object || Encoding.UTF8.GetByteCount(EventRows.CompactJson(given)) > EventValidation.MaxMetadataBytes))
        {
            throw FuncTraceException.Validation($"'metadata' must be a JSON object of at most {EventValidation.MaxMetadataBytes} bytes.", "metadata");
        }
        var session = request.SessionId is null ? null : Validation.KeySafe(request.SessionId, "session_id", EventValidation.MaxIdLength);
        var now = time.GetUtcNow();
        return new LogEntry(LogRows.NewId(now), level, message, metadata, session, now);
    }

    /// <summary>Stores the entry; with an Idempotency-Key id, a replay answers the first entry and <c>Created = false</c>.</summary>
    public async Task<(LogEntry Entry, bool Created)> AddAsync(string tenant, LogEntry entry, string? idempotencyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.SessionId is { } session)
        {
            await sessions.RequireRowAsync(tenant, session, cancellationToken);
        }
        var created = true;
        if (idempotencyId is not null)
        {
            (entry, created) = await PointAsync(tenant, entry, idempotencyId, cancellationToken);
        }
        await Task.WhenAll(LogRows.Partitions(tenant, entry).Select(partition =>
            _table.UpsertEntityAsync(LogRows.Row(partition, entry), TableUpdateMode.Replace, CancellationToken.None)));
        return (entry, created);
    }

    public async Task<LogPage> ListAsync(string tenant, string? level, string? sessionId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var wanted = level is null ? LogRows.AnyLevel : Level(level) ?? throw FuncTraceException.Validation(
            $"'level' must be one of {string.Join(", ", LogLevels.All)}.", "level");
        var session = sessionId is null ? null : Validation.KeySafe(sessionId, "session_id", EventValidation.MaxIdLength);
        var today = LogRows.Day(time.GetUtcNow());
        var (day, after) = Cursor.Decode(cursor, session is null);
        var logs = new List<LogEntry>();
        if (session is not null)
        {
            var rows = await RangeAsync(LogRows.SessionPartition(tenant, session, wanted), after, limit + 1, session, cancellationToken);
            logs.AddRange(rows.Select(LogRows.Entry));
            return Page(logs, limit, l => Cursor.Encode(null, l.LogId));
        }
        var newest = DateTime.ParseExact(today, "yyyyMMdd", CultureInfo.InvariantCulture);
        var oldest = newest.AddDays(1 - options.Value.LogDays);
        // A cursor names a day the listing gave; whatever it says, at most LogDays partitions are read.
        var start = day is null ? newest : DateTime.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture);
        if (start > newest)
        {
            (start, after) = (newest, null);
        }
        for (var d = start; d >= oldest && logs.Count <= limit; d = d.AddDays(-1), after = null)
        {
            var name = d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var rows = await RangeAsync(LogRows.TenantPartition(tenant, wanted, name), after, limit + 1 - logs.Count, null, cancellationToken);
            logs.AddRange(rows.Select(LogRows.Entry));
        }
        return Page(logs, limit, l => Cursor.Encode(LogRows.Day(l.Timestamp), l.LogId));
    }

    private static LogPage Page(List<LogEntry> logs, int limit, Func<LogEntry, string> cursorOf)
    {
        var page = logs.Take(limit).ToList();
        return new LogPage(page, logs.Count > limit ? cursorOf(page[^1]) : null, limit);
    }

    private async Task<List<TableEntity>> RangeAsync(string partition, string? after, int take, string? session, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after}");
        if (session is not null)
        {
            // Two sessions whose ids hash alike share a partition.
            filter += " and " + TableClient.CreateQueryFilter($"SessionId eq {session}");
        }
        var rows = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(take, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= take)
            {
                break;
            }
        }
        return rows;
    }

    private async Task<(LogEntry Entry, bool Created)> PointAsync(string tenant, LogEntry entry, string idempotencyId, CancellationToken cancellationToken)
    {
        var pointer = LogRows.Row(LogRows.KeyPartition(tenant), entry);
        pointer.RowKey = idempotencyId;
        pointer["LogId"] = entry.LogId;
        pointer["BodyHash"] = BodyHash(entry);
        try
        {
            await _table.AddEntityAsync(pointer, CancellationToken.None);
            return (entry, true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var stored = (await _table.GetEntityIfExistsAsync<TableEntity>(pointer.PartitionKey, pointer.RowKey, cancellationToken: cancellationToken)).ValueOrNull()
                ?? throw new FuncTraceException(ErrorCode.ServiceUnavailable, "The log's Idempotency-Key is being written; retry shortly.", inner: ex);
            return stored.GetString("BodyHash") == BodyHash(entry)
                ? (LogRows.Entry(stored), false)
                : throw FuncTraceException.Conflict("This Idempotency-Key was used for a different log entry.");
        }
    }

    private static string BodyHash(LogEntry entry) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new object?[]
    {
        entry.Level, entry.Message, entry.Metadata is { } m ? EventRows.CompactJson(m) : null, entry.SessionId,
    }))))[..32];

    private static string? Level(string? level)
    {
        var lower = level?.Trim().ToLowerInvariant();
        return lower is "warn" ? "warning" : LogLevels.All.Contains(lower) ? lower : null;
    }

    /// <summary>Where the next page starts: the day (tenant listings) and the last row key shown.</summary>
    private static class Cursor
    {
        public static string Encode(string? day, string logId) => Base64Url.Encode(Encoding.UTF8.GetBytes($"{day}|{logId}"));

        public static (string? Day, string? After) Decode(string? cursor, bool needsDay)
        {
            if (cursor is null)
            {
                return (null, null);
            }
            var bytes = Base64Url.TryDecode(cursor) ?? throw Invalid();
            var parts = Encoding.UTF8.GetString(bytes).Split('|');
            if (parts.Length != 2 || parts[1].Length != 21 || !parts[1].All(char.IsAsciiLetterOrDigit)
                || (needsDay ? !DateTime.TryParseExact(parts[0], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) : parts[0].Length != 0))
            {
                throw Invalid();
            }
            return (needsDay ? parts[0] : null, parts[1]);
        }

        private static FuncTraceException Invalid() => FuncTraceException.Validation("'cursor' is not one this listing gave.", "cursor");
    }
}
