using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// A built-in command type. FuncTrace runs only these: the spec's handler registration would have it run code a client
/// sent, which it never does (<see cref="CommandHandlerFunctions"/>).
/// </summary>
public interface ICommandType
{
    string Name { get; }

    /// <summary>
    /// Running it again does nothing the first run did not (batch_score: its job's id comes from the command), so an
    /// attempt that stopped half-way may simply be run again. A prompt is not: the model may have answered already.
    /// </summary>
    bool Repeatable { get; }

    /// <summary>Checks the parameters before anything is stored: a 400 naming the field (or a 501/503) otherwise.</summary>
    void Validate(JsonElement parameters);

    Task<CommandOutcome> RunAsync(CommandContext context, CancellationToken cancellationToken);
}

/// <summary>A type whose run starts something that ends later (a batch job), followed through the queue until it does.</summary>
public interface IFollowedCommandType : ICommandType
{
    /// <summary>The outcome once <paramref name="reference"/> has ended; null while it is still going.</summary>
    Task<CommandOutcome?> FollowAsync(CommandContext context, string reference, CancellationToken cancellationToken);
}

public sealed record CommandContext(string Tenant, string SessionId, string CommandId, JsonElement Parameters);

/// <summary>One model call a command made: recorded as a <c>model_call</c> event of the session, with its usage.</summary>
public sealed record ModelCall(string Prompt, string Response, string? Model, LlmUsage? Usage, long DurationMs);

public abstract record CommandOutcome
{
    public sealed record Completed(JsonElement Result, ModelCall? Call = null) : CommandOutcome;

    public sealed record Failed(CommandError Error) : CommandOutcome;

    /// <summary>It started <see cref="Reference"/>, which ends later: the command stays executing and is followed.</summary>
    public sealed record Following(string Reference) : CommandOutcome;

    /// <summary>Nothing ran (the model refused with 429, storage was busy): the queue tries again later.</summary>
    public sealed record NotRun(Exception Reason) : CommandOutcome;
}

/// <summary>The registered types by name; an unknown name is a 400 that lists the known ones.</summary>
public sealed class CommandTypes(IEnumerable<ICommandType> types)
{
    private readonly Dictionary<string, ICommandType> _types = types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyList<string> Names => [.. _types.Keys.Order(StringComparer.Ordinal)];

    public ICommandType Get(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw Unknown("'command_type' is required", name);
        }
        return _types.TryGetValue(name, out var type) ? type : throw Unknown($"Unknown 'command_type' '{Shorten(name)}'", name);
    }

    private FuncTraceException Unknown(string message, string? name) => new(
        ErrorCode.ValidationError,
        $"{message}; the known command types are {string.Join(", ", Names)}.",
        new Dictionary<string, object?> { ["field"] = "command_type", ["command_type"] = name, ["known_types"] = Names });

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "...";
}

public static class CommandErrors
{
    /// <summary>A service error as a command's error: the API's code name, message and details.</summary>
    public static CommandError From(FuncTraceException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new CommandError(ApiError.Name(exception.Code), exception.Message,
            exception.Details is { Count: > 0 } details ? JsonSerializer.SerializeToElement(details, JsonBody.SnakeCase) : null);
    }

    /// <summary>The parameters as an object of <typeparamref name="T"/>; a wrong type is a 400 naming <c>parameters.field</c>.</summary>
    public static T Bind<T>(JsonElement parameters)
    {
        try
        {
            return JsonBody.Deserialize<T>(parameters, JsonBody.SnakeCase);
        }
        catch (FuncTraceException ex) when (ex.Details?.GetValueOrDefault("field") is string field)
        {
            throw FuncTraceException.Validation($"'parameters.{field}' has the wrong type.", "parameters." + field);
        }
    }
}
