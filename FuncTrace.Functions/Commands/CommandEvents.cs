using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// The events a command adds to its session's stream: <c>command_started</c>, a <c>model_call</c> (with the model's
/// usage, so it counts in the conversation's summary and the usage views like any assistant event) and
/// <c>command_completed</c> or <c>command_failed</c>. Each has an id fixed by the session, the command and its kind, and
/// a body built from the command's row alone, so writing it again — a retry, a re-delivered message — is a replay that
/// adds nothing.
/// </summary>
public static class CommandEvents
{
    public const string Started = "command_started";
    public const string ModelCallType = "model_call";
    public const string CompletedType = "command_completed";
    public const string FailedType = "command_failed";

    /// <summary>The id of one of the command's events (<paramref name="kind"/>: started, model_call or ended).</summary>
    public static string EventId(string sessionId, string commandId, string kind) =>
        "cmd-" + Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{sessionId}\n{commandId}\n{kind}")))[..26];

    /// <summary>Written when an attempt starts it; its server-chosen time is the start's (a later attempt replays it).</summary>
    public static NewEvent StartedEvent(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (session, command) = (row.GetString("SessionId"), row.GetString("CommandId"));
        return Event(EventId(session, command, "started"), session, Started, null,
            new { command_id = command, command_type = row.GetString("CommandType") },
            metadata: row.GetString("Metadata") is { } metadata ? JsonBody.ParseStored(metadata) : null);
    }

    public static NewEvent ModelCallEvent(TableEntity row, ModelCall call)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(call);
        var (session, command) = (row.GetString("SessionId"), row.GetString("CommandId"));
        var usage = call.Usage is { } u ? new EventUsage(u.PromptTokens, u.CompletionTokens, u.TotalTokens) : null;
        return Event(EventId(session, command, ModelCallType), session, ModelCallType, row.GetDateTimeOffset("CompletedAt"),
            new { command_id = command, prompt = call.Prompt, response = call.Response, duration_ms = call.DurationMs },
            role: "assistant", model: call.Model, usage: usage);
    }

    public static NewEvent EndedEvent(TableEntity row, CommandError? error)
    {
        ArgumentNullException.ThrowIfNull(row);
        var (session, command) = (row.GetString("SessionId"), row.GetString("CommandId"));
        var completed = row.GetString("Status") == CommandStatus.Completed;
        return Event(EventId(session, command, "ended"), session, completed ? CompletedType : FailedType, row.GetDateTimeOffset("CompletedAt"), new
        {
            command_id = command,
            command_type = row.GetString("CommandType"),
            status = row.GetString("Status"),
            started_at = row.GetDateTimeOffset("StartedAt"),
            duration_ms = row.GetInt64("DurationMs"),
            reference = row.GetString("Reference"),
            model_call_event_id = row.GetBoolean("HasModelCall") == true ? EventId(session, command, ModelCallType) : null,
            error,
        });
    }

    private static NewEvent Event(string id, string sessionId, string type, DateTimeOffset? time, object data,
        string? role = null, string? model = null, EventUsage? usage = null, JsonElement? metadata = null) =>
        new(id, sessionId, type, time, JsonSerializer.SerializeToElement(data, JsonBody.SnakeCase), RequiresFeedback: false, role, model, usage, Metadata: metadata);
}
