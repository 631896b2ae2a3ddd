using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// Does what is left of a command when one of its messages arrives, deciding from its row (<see cref="CommandRows"/>):
/// a queued command is claimed under the row's ETag — so of two copies of a message only one runs it — and run; a held
/// one is waited for; one whose holder stopped is run again when its type is repeatable and otherwise failed, so a prompt
/// reaches the model at most once; a following one looks at its job; a finished one gets whatever end events it lacks.
/// The outcome is stored on the row before the events are written from it, so a crash in between loses nothing.
/// </summary>
public sealed class CommandRunner(CommandStore store, CommandTypes types, SessionService sessions, IOptions<CommandOptions> options, TimeProvider time, ILogger<CommandRunner> logger)
{
    private const int MaxErrorMessageLength = 2000;
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static CommandError Interrupted { get; } = new("INTERRUPTED",
        "The attempt that started this command stopped before it finished. A prompt may have reached the model already, so it is not run twice; submit it again to retry.", null);

    /// <summary>A message of the commands queue. A command not stored yet (its request is still writing it) throws, to be tried again.</summary>
    public async Task RunAsync(CommandMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var row = await store.RowAsync(message.Tenant, message.SessionId, message.CommandId, cancellationToken)
            ?? throw new InvalidOperationException($"Command '{message.CommandId}' of session '{message.SessionId}' is not stored (yet); its message is tried again, and dropped if it never is.");
        await StepAsync(message, row, givingUp: false, cancellationToken);
    }

    /// <summary>A message whose attempts ran out: the command ends, unless an attempt that holds it may still finish it.</summary>
    public async Task GiveUpAsync(CommandMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await store.RowAsync(message.Tenant, message.SessionId, message.CommandId, cancellationToken) is not { } row)
        {
            logger.LogWarning("Dropping the message of command {CommandId}: it was never stored (its request failed)", message.CommandId);
            return;
        }
        await StepAsync(message, row, givingUp: true, cancellationToken);
    }

    private async Task StepAsync(CommandMessage message, TableEntity row, bool givingUp, CancellationToken cancellationToken)
    {
        if (CommandRows.IsFinished(row))
        {
            await WriteEndEventsAsync(message, row, cancellationToken);
            return;
        }
        var type = types.Get(row.GetString("CommandType"));
        var context = new CommandContext(message.Tenant, message.SessionId, message.CommandId, await store.JsonAsync(row, "Parameters", cancellationToken) ?? EmptyObject);
        if (row.GetString("Reference") is { } reference && type is IFollowedCommandType followed)
        {
            await FollowAsync(message, row, followed, context, reference, givingUp, cancellationToken);
            return;
        }
        var now = time.GetUtcNow();
        if (CommandRows.IsHeld(row) && CommandRows.LeaseUntil(row) > now)
        {
            // Another attempt is running it: look again when its hold ends, by which time it has finished or stopped.
            await store.SendAsync(message, CommandRows.LeaseUntil(row) - now, cancellationToken);
            return;
        }
        if (CommandRows.IsHeld(row) && !type.Repeatable)
        {
            await FinishAsync(message, row, new CommandOutcome.Failed(Interrupted), cancellationToken);
            return;
        }
        if (givingUp)
        {
            await FinishAsync(message, row, new CommandOutcome.Failed(GaveUp(row)), cancellationToken);
            return;
        }
        TableEntity claimed;
        try
        {
            claimed = await store.ReplaceAsync(CommandRows.Claimed(row, NewRunId(), now, now + options.Value.Lease), row.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another copy of the message claimed it first: look at what it did.
            if (await store.RowAsync(message.Tenant, message.SessionId, message.CommandId, cancellationToken) is not { } current)
            {
                throw;
            }
            await StepAsync(message, current, givingUp, cancellationToken);
            return;
        }
        await RunClaimedAsync(message, claimed, type, context, cancellationToken);
    }

    private async Task RunClaimedAsync(CommandMessage message, TableEntity claimed, ICommandType type, CommandContext context, CancellationToken cancellationToken)
    {
        try
        {
            await WriteEventAsync(message, CommandEvents.StartedEvent(claimed), cancellationToken);
        }
        catch (Exception ex)
        {
            // Nothing ran yet.
            await ReleaseAsync(claimed, ex);
            throw;
        }
        CommandOutcome outcome;
        try
        {
            outcome = await type.RunAsync(context, cancellationToken);
        }
        catch (Exception ex) when (type.Repeatable)
        {
            await ReleaseAsync(claimed, ex);
            throw;
        }
        switch (outcome)
        {
            case CommandOutcome.NotRun notRun:
                await ReleaseAsync(claimed, notRun.Reason);
                ExceptionDispatchInfo.Throw(notRun.Reason);
                break;
            case CommandOutcome.Following following:
                await store.ReplaceAsync(CommandRows.Following(claimed, following.Reference), claimed.ETag);
                await store.SendAsync(message, options.Value.Follow, cancellationToken);
                break;
            default:
                await FinishAsync(message, claimed, outcome, cancellationToken);
                break;
        }
    }

    private async Task FollowAsync(CommandMessage message, TableEntity row, IFollowedCommandType type, CommandContext context, string reference, bool givingUp, CancellationToken cancellationToken)
    {
        if (await type.FollowAsync(context, reference, cancellationToken) is { } outcome)
        {
            await FinishAsync(message, row, outcome, cancellationToken);
        }
        else if (givingUp)
        {
            await FinishAsync(message, row, new CommandOutcome.Failed(new CommandError("GAVE_UP",
                $"Gave up following '{reference}' after the queue's last attempt; what the command started goes on without it.", null)), cancellationToken);
        }
        else
        {
            await store.SendAsync(message, options.Value.Follow, cancellationToken);
        }
    }

    /// <summary>Stores the outcome under the ETag the row was read with, then writes the end events from the stored row.</summary>
    private async Task FinishAsync(CommandMessage message, TableEntity row, CommandOutcome outcome, CancellationToken cancellationToken)
    {
        var finished = CommandRows.Finished(row, outcome is CommandOutcome.Completed ? CommandStatus.Completed : CommandStatus.Failed, time.GetUtcNow());
        if (outcome is CommandOutcome.Completed completed)
        {
            await store.SetJsonAsync(finished, "Result", completed.Result, message.Tenant, cancellationToken);
            if (completed.Call is { } call)
            {
                finished["HasModelCall"] = true;
                await store.SetJsonAsync(finished, "ModelCall", JsonSerializer.SerializeToElement(call, JsonBody.SnakeCase), message.Tenant, cancellationToken);
            }
        }
        else if (outcome is CommandOutcome.Failed failed)
        {
            await store.SetJsonAsync(finished, "Error", JsonSerializer.SerializeToElement(failed.Error, JsonBody.SnakeCase), message.Tenant, cancellationToken);
        }
        TableEntity stored;
        try
        {
            stored = await store.ReplaceAsync(finished, row.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another attempt changed it meanwhile (this one's hold had run out): what that one did stands.
            logger.LogWarning(ex, "Command {CommandId} changed while this attempt finished it; keeping the other attempt's outcome", message.CommandId);
            if (await store.RowAsync(message.Tenant, message.SessionId, message.CommandId, cancellationToken) is { } current && CommandRows.IsFinished(current))
            {
                await WriteEndEventsAsync(message, current, cancellationToken);
                return;
            }
            throw;
        }
        await WriteEndEventsAsync(message, stored, cancellationToken);
    }

    private async Task WriteEndEventsAsync(CommandMessage message, TableEntity row, CancellationToken cancellationToken)
    {
        if (row.GetBoolean("EventsWritten") == true)
        {
            return;
        }
        await WriteEventAsync(message, CommandEvents.StartedEvent(row), cancellationToken);
        if (await store.JsonAsync(row, "ModelCall", cancellationToken) is { } call)
        {
            await WriteEventAsync(message, CommandEvents.ModelCallEvent(row, call.Deserialize<ModelCall>(JsonBody.SnakeCase)!), cancellationToken);
        }
        var error = (await store.JsonAsync(row, "Error", cancellationToken))?.Deserialize<CommandError>(JsonBody.SnakeCase);
        await WriteEventAsync(message, CommandEvents.EndedEvent(row, error), cancellationToken);
        await store.MarkEventsWrittenAsync(row);
    }

    /// <summary>Writes one of the command's events; written before, it is a replay that adds nothing.</summary>
    private async Task WriteEventAsync(CommandMessage message, NewEvent item, CancellationToken cancellationToken)
    {
        try
        {
            await sessions.AddEventAsync(message.Tenant, message.SessionId, item, cancellationToken);
        }
        catch (FuncTraceException ex) when (ex.Code == ErrorCode.Conflict)
        {
            logger.LogWarning(ex, "Event {EventId} of command {CommandId} exists with another body; kept as it is", item.Id, message.CommandId);
        }
    }

    /// <summary>Queues the command again (no attempt holds it), noting why; if even that fails, the hold simply runs out.</summary>
    private async Task ReleaseAsync(TableEntity claimed, Exception reason)
    {
        try
        {
            await store.ReplaceAsync(CommandRows.Released(claimed, ErrorJson(reason)), claimed.ETag);
        }
        catch (Exception ex) when (ex is RequestFailedException or IOException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not release command {CommandId}; it is looked at again when its hold runs out", claimed.GetString("CommandId"));
        }
    }

    /// <summary>Why the queue gave up: the last attempt's reason, when one was noted.</summary>
    private static CommandError GaveUp(TableEntity row)
    {
        const string Prefix = "Gave up after the queue's last attempt";
        return row.GetString("LastError") is { } json && JsonSerializer.Deserialize<CommandError>(json, JsonBody.SnakeCase) is { } last
            ? last with { Message = $"{Prefix}: {last.Message}" }
            : new CommandError("GAVE_UP", Prefix + "; no attempt finished.", null);
    }

    private static string ErrorJson(Exception reason)
    {
        var error = reason is FuncTraceException known
            ? CommandErrors.From(known)
            : new CommandError(ApiError.Name(ErrorCode.InternalError), reason.Message, null);
        if (error.Message.Length > MaxErrorMessageLength)
        {
            error = error with { Message = error.Message[..MaxErrorMessageLength] };
        }
        return JsonSerializer.Serialize(error, JsonBody.SnakeCase);
    }

    private static string NewRunId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
}
