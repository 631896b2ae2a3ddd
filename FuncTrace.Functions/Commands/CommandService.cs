using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// Takes commands for a session: checks them, queues them and stores them, and answers at once. The message is sent
/// before the row is written, so a command that was stored always has a message on its way; a message that arrives
/// first waits for its row (<see cref="CommandRunner.RunAsync"/>), and one whose row never came is dropped when the
/// queue gives up on it. A command id (chosen by the client, or derived from an <c>Idempotency-Key</c>) makes a retry
/// answer with the command it stored, as it stands now; the same id with a different body is a conflict.
/// </summary>
public sealed class CommandService(CommandStore store, CommandTypes types, SessionService sessions, TimeProvider time)
{
    public const int MaxBatch = 100;
    public const int MaxIdLength = 128;
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>The request as a command, or a 400 naming what is wrong (an unknown type names the known ones).</summary>
    public NewCommand Validate(CommandRequest request, string? derivedId = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.CommandId is null ? derivedId : Validation.KeySafe(request.CommandId, "command_id", MaxIdLength);
        var type = types.Get(request.CommandType);
        var parameters = Present(request.Parameters) ?? EmptyObject;
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation("'parameters' must be a JSON object.", "parameters");
        }
        var metadata = Present(request.Metadata);
        if (metadata is { } m && (m.ValueKind != JsonValueKind.Object || Encoding.UTF8.GetByteCount(EventRows.CompactJson(m)) > EventValidation.MaxMetadataBytes))
        {
            throw FuncTraceException.Validation($"'metadata' must be a JSON object of at most {EventValidation.MaxMetadataBytes} bytes.", "metadata");
        }
        type.Validate(parameters);
        return new NewCommand(id, type.Name, parameters, metadata);
    }

    /// <summary>Queues and stores the command; a replay of its id answers with the stored one and <c>Created = false</c>.</summary>
    public async Task<(CommandRecord Command, bool Created)> SubmitAsync(string tenant, string sessionId, NewCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        await sessions.RequireRowAsync(tenant, sessionId, cancellationToken);
        return await SubmitToSessionAsync(tenant, sessionId, command, cancellationToken);
    }

    /// <summary>Several commands, each on its own as <see cref="SubmitAsync"/> takes it; answers in their order.</summary>
    public async Task<IReadOnlyList<(CommandRecord Command, bool Created)>> SubmitBatchAsync(string tenant, string sessionId, IReadOnlyList<NewCommand> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        await sessions.RequireRowAsync(tenant, sessionId, cancellationToken);
        var results = new (CommandRecord, bool)[commands.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, commands.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await SubmitToSessionAsync(tenant, sessionId, commands[i], ct));
        return results;
    }

    private async Task<(CommandRecord Command, bool Created)> SubmitToSessionAsync(string tenant, string sessionId, NewCommand command, CancellationToken cancellationToken)
    {
        var hash = BodyHash(command);
        if (command.Id is not null && await store.RowAsync(tenant, sessionId, command.Id, cancellationToken) is { } existing)
        {
            return (await ReplayAsync(existing, hash, cancellationToken), false);
        }
        var now = time.GetUtcNow();
        var id = command.Id ?? "cmd_" + EventKeys.NewSessionId(now);
        var row = CommandRows.New(tenant, sessionId, id, command.Type, command.Metadata is { } metadata ? EventRows.CompactJson(metadata) : null, hash, now);
        await store.SetJsonAsync(row, "Parameters", command.Parameters, tenant, cancellationToken);
        try
        {
            await store.SendAsync(new CommandMessage(tenant, sessionId, id), delay: null, cancellationToken);
        }
        catch (RequestFailedException ex)
        {
            throw new FuncTraceException(ErrorCode.ServiceUnavailable, "The command could not be queued; nothing was started, retry shortly.", inner: ex);
        }
        try
        {
            await store.AddAsync(row);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Stored meanwhile by a request with the same id (or by this one, whose answer was lost and retried).
            if (await store.RowAsync(tenant, sessionId, id, cancellationToken) is not { } stored)
            {
                throw;
            }
            return (await ReplayAsync(stored, hash, cancellationToken), false);
        }
        return (await store.RecordAsync(row, cancellationToken), true);
    }

    public async Task<CommandRecord> GetAsync(string tenant, string sessionId, string commandId, CancellationToken cancellationToken = default)
    {
        await sessions.RequireRowAsync(tenant, sessionId, cancellationToken);
        var row = IsCommandId(commandId) ? await store.RowAsync(tenant, sessionId, commandId, cancellationToken) : null;
        return row is null
            ? throw FuncTraceException.NotFound($"Session '{sessionId}' has no command '{commandId}'.")
            : await store.RecordAsync(row, cancellationToken);
    }

    private async Task<CommandRecord> ReplayAsync(TableEntity existing, string hash, CancellationToken cancellationToken) =>
        existing.GetString("BodyHash") == hash
            ? await store.RecordAsync(existing, cancellationToken)
            : throw new FuncTraceException(ErrorCode.Conflict, $"A command with id '{existing.GetString("CommandId")}' already exists with a different body.",
                new Dictionary<string, object?> { ["command_id"] = existing.GetString("CommandId") });

    private static bool IsCommandId(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= MaxIdLength && id.AsSpan().IndexOfAny("/\\#?") < 0 && !id.Any(char.IsControl);

    private static string BodyHash(NewCommand command)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            command.Type, EventRows.CompactJson(command.Parameters), command.Metadata is { } metadata ? EventRows.CompactJson(metadata) : null,
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }

    private static JsonElement? Present(JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } json ? json : null;
}
