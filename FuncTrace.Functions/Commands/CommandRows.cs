using Azure.Data.Tables;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// A command's row, <c>c|{command id}</c> in its session's partition of the events table. Its state is one of:
/// <list type="bullet">
/// <item>queued — <c>Status</c> executing, no <c>RunId</c>: the next message runs it;</item>
/// <item>held — a <c>RunId</c> and <c>LeaseUntil</c>: an attempt started it (claimed under the row's ETag, so one
/// attempt at a time); while the lease lasts, other messages wait; after it the attempt is taken to have stopped;</item>
/// <item>following — a <c>Reference</c> (a batch job): messages look at the job until it ends;</item>
/// <item>finished — completed or failed with <c>Result</c> or <c>Error</c>; its end events are written from the row,
/// and <c>EventsWritten</c> says they were.</item>
/// </list>
/// JSON too large for a table property (parameters, result, model call) is kept in a blob named by the row.
/// </summary>
public static class CommandRows
{
    public static string Key(string commandId) => EventKeys.CommandPrefix + commandId;

    public static TableEntity New(string tenant, string sessionId, string commandId, string type, string? metadataJson, string bodyHash, DateTimeOffset createdAt)
    {
        var row = new TableEntity(EventKeys.ConversationPartition(tenant, sessionId), Key(commandId))
        {
            ["CommandId"] = commandId,
            ["SessionId"] = sessionId,
            ["CommandType"] = type,
            ["Status"] = CommandStatus.Executing,
            ["BodyHash"] = bodyHash,
            ["CreatedAt"] = createdAt,
            ["Attempts"] = 0,
        };
        if (metadataJson is not null)
        {
            row["Metadata"] = metadataJson;
        }
        return row;
    }

    public static bool IsFinished(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return CommandStatus.IsFinished(row.GetString("Status"));
    }

    /// <summary>An attempt holds it (until <see cref="LeaseUntil"/>); a command following a job is held by none.</summary>
    public static bool IsHeld(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.GetString("RunId") is not null && row.GetString("Reference") is null;
    }

    public static DateTimeOffset LeaseUntil(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.GetDateTimeOffset("LeaseUntil") ?? DateTimeOffset.MinValue;
    }

    /// <summary>An attempt takes the command: it holds it until <paramref name="leaseUntil"/>.</summary>
    public static TableEntity Claimed(TableEntity row, string runId, DateTimeOffset now, DateTimeOffset leaseUntil)
    {
        ArgumentNullException.ThrowIfNull(row);
        var claimed = new TableEntity(row)
        {
            ["RunId"] = runId,
            ["LeaseUntil"] = leaseUntil,
            ["Attempts"] = (row.GetInt32("Attempts") ?? 0) + 1,
        };
        if (row.GetDateTimeOffset("StartedAt") is null)
        {
            claimed["StartedAt"] = now;
        }
        return claimed;
    }

    /// <summary>Nothing ran: the command is queued again, with why this attempt could not run it.</summary>
    public static TableEntity Released(TableEntity row, string lastErrorJson)
    {
        ArgumentNullException.ThrowIfNull(row);
        var released = new TableEntity(row) { ["LastError"] = lastErrorJson };
        released.Remove("RunId");
        released.Remove("LeaseUntil");
        return released;
    }

    /// <summary>It started <paramref name="reference"/> and waits for it to end; no attempt holds it any more.</summary>
    public static TableEntity Following(TableEntity row, string reference)
    {
        ArgumentNullException.ThrowIfNull(row);
        var following = new TableEntity(row) { ["Reference"] = reference };
        following.Remove("LeaseUntil");
        return following;
    }

    /// <summary>The end: status, when, and how long since it started (result, error and model call are set by the store).</summary>
    public static TableEntity Finished(TableEntity row, string status, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(row);
        var finished = new TableEntity(row) { ["Status"] = status, ["CompletedAt"] = now };
        var started = row.GetDateTimeOffset("StartedAt") ?? now;
        finished["StartedAt"] = started;
        finished["DurationMs"] = (long)Math.Max(0, (now - started).TotalMilliseconds);
        finished.Remove("LeaseUntil");
        return finished;
    }
}
