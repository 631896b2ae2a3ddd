using System.Text.Json;

namespace FuncTrace.Functions.Commands;

/// <summary>The body of <c>POST api/sessions/{id}/commands</c> and each item of a batch; <see cref="CommandId"/> makes a retry safe.</summary>
public sealed record CommandRequest(string? CommandId, string? CommandType, JsonElement? Parameters, JsonElement? Metadata);

/// <summary>The body of <c>POST api/sessions/{id}/commands/batch</c>: items are read one by one, so an error names its index.</summary>
public sealed record CommandBatchRequest(IReadOnlyList<JsonElement>? Commands);

/// <summary>A command as submitted and validated.</summary>
public sealed record NewCommand(string? Id, string Type, JsonElement Parameters, JsonElement? Metadata);

/// <summary>Why a command failed: an error code as the API names them (or a job's end), a message, and details.</summary>
public sealed record CommandError(string Code, string Message, JsonElement? Details);

public static class CommandStatus
{
    public const string Executing = "executing";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static bool IsFinished(string? status) => status is Completed or Failed;
}

/// <summary>A command as stored: what was asked, where it is, and how it ended.</summary>
public sealed record CommandRecord(
    string CommandId,
    string SessionId,
    string CommandType,
    string Status,
    JsonElement? Result,
    CommandError? Error,
    JsonElement? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs);

/// <summary>A command as the API shows it; <see cref="Result"/> and <see cref="Error"/> stay null while it is executing.</summary>
public sealed record CommandResponse(
    string CommandId,
    string SessionId,
    string CommandType,
    string Status,
    JsonElement? Result,
    CommandError? Error,
    JsonElement? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs)
{
    public static CommandResponse From(CommandRecord command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new(command.CommandId, command.SessionId, command.CommandType, command.Status, command.Result, command.Error, command.Metadata,
            command.CreatedAt, command.StartedAt, command.CompletedAt, command.DurationMs);
    }
}

public sealed record CommandBatchResponse(string SessionId, IReadOnlyList<CommandResponse> Commands);
