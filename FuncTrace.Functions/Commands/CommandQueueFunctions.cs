using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// The queue side of session commands. Retries, <c>maxDequeueCount</c> and the move to <c>-poison</c> are the queue
/// host's (host.json): a function that throws is tried again later.
/// <code>
/// %prefix%-commands          RunCommand             do what is left of a command (run, wait, follow, finish)
/// %prefix%-commands-poison   RecordPoisonedCommand  a command whose message ran out of attempts ends failed, unless it is still running
/// </code>
/// </summary>
public sealed class CommandQueueFunctions(CommandRunner runner, ILogger<CommandQueueFunctions> logger)
{
    [Function("RunCommand")]
    public async Task Run([QueueTrigger("%FuncTrace:StoragePrefix%-commands")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message) is { } command)
        {
            await runner.RunAsync(command, cancellationToken);
        }
    }

    [Function("RecordPoisonedCommand")]
    public async Task RecordPoisoned([QueueTrigger("%FuncTrace:StoragePrefix%-commands-poison")] string message, CancellationToken cancellationToken)
    {
        if (Parse(message) is { } command)
        {
            await runner.GiveUpAsync(command, cancellationToken);
        }
    }

    private CommandMessage? Parse(string message)
    {
        var parsed = CommandMessage.TryParse(message);
        if (parsed is null)
        {
            // It can never succeed; retrying would only delay the poison queue.
            logger.LogWarning("Dropping an unreadable command message: {Message}", message.Length <= 200 ? message : message[..200] + "...");
        }
        return parsed;
    }
}
