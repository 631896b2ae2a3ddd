using System.Reflection;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FuncTrace.LocalHost;

/// <summary>
/// Drives each queue-triggered function from its real queue, as the Functions host's queue listener does with
/// <c>host.json</c>'s settings: up to <c>batchSize</c> messages at a time, more once no more than <c>newBatchThreshold</c>
/// are running; an empty queue is polled again after a delay that doubles up to <c>maxPollingInterval</c>. A received
/// message stays hidden while its function runs; then it is deleted (success), hidden for <c>visibilityTimeout</c> (a
/// retry), or — on its <c>maxDequeueCount</c>-th failure, or when it arrives already past it — copied to
/// <c>&lt;queue&gt;-poison</c> and deleted. Queue names resolve <c>%setting%</c> from configuration, as the host does.
/// </summary>
public sealed partial class QueueTriggerHost(
    FunctionCatalog catalog,
    QueueServiceClient queues,
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IOptions<QueueHostOptions> settings,
    IOptions<LocalHostOptions> local,
    ILogger<QueueTriggerHost> logger) : BackgroundService
{
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var function in catalog.Queue)
        {
            if (function.Connection != StorageConnection.Setting)
            {
                throw new InvalidOperationException($"{function.Name} reads queue connection '{function.Connection}'; the local host serves '{StorageConnection.Setting}' only.");
            }
            ResolveQueueName(function);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        local.Value.QueueTriggers
            ? Task.WhenAll(catalog.Queue.Select(function => ListenAsync(function, stoppingToken)))
            : Task.CompletedTask;

    /// <summary>Expands <c>%name%</c> from configuration; a missing setting stops the start, naming it.</summary>
    public string ResolveQueueName(QueueFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Setting().Replace(function.QueueName, match =>
            configuration[match.Groups[1].Value] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{function.Name}: its queue name '{function.QueueName}' needs the setting '{match.Groups[1].Value}' (app setting {match.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal)})."));
    }

    private async Task ListenAsync(QueueFunction function, CancellationToken stoppingToken)
    {
        var queueName = ResolveQueueName(function);
        var queue = queues.GetQueueClient(queueName);
        var poison = queues.GetQueueClient(StorageNames.Poison(queueName));
        var options = settings.Value;
        var invoke = Invoker(function);
        var idleDelay = MinPollingInterval;
        var inFlight = new List<Task>();
        logger.LogInformation("Listening to queue {Queue} for {Function}", queueName, function.Name);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                inFlight.RemoveAll(task => task.IsCompleted);
                if (inFlight.Count > options.EffectiveNewBatchThreshold)
                {
                    await Task.WhenAny(inFlight);
                    continue;
                }
                var messages = await ReceiveAsync(queue, options.BatchSize, stoppingToken);
                if (messages.Length == 0)
                {
                    await Task.Delay(idleDelay, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, options.MaxPollingInterval.Ticks));
                    continue;
                }
                idleDelay = MinPollingInterval;
                inFlight.AddRange(messages.Select(message => ProcessAsync(function, invoke, queue, poison, message, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running functions have the same token; their messages come back when their lease ends.
        }
        await Task.WhenAll(inFlight);
    }

    private async Task<QueueMessage[]> ReceiveAsync(QueueClient queue, int batchSize, CancellationToken stoppingToken)
    {
        try
        {
            return (await queue.ReceiveMessagesAsync(batchSize, local.Value.MessageLease, stoppingToken)).Value;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not poll queue {Queue}; will try again", queue.Name);
            return [];
        }
    }

    private async Task ProcessAsync(QueueFunction function, Func<IServiceProvider, QueueMessage, CancellationToken, Task> invoke,
        QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        var options = settings.Value;
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                logger.LogError("{Function}: message {MessageId} was dequeued {Count} times without finishing; moving it to {Poison}", function.Name, message.MessageId, message.DequeueCount, poison.Name);
                await MoveToPoisonAsync(queue, poison, message.MessageId, message.PopReceipt, message.Body);
                return;
            }
            using var lease = new MessageLease(queue, message, local.Value.MessageLease, logger);
            Exception? failure = null;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await invoke(scope.ServiceProvider, message, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                failure = ex;
            }
            if (await lease.StopAsync() is not { } popReceipt)
            {
                return;
            }
            if (failure is null)
            {
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                logger.LogError(failure, "{Function} failed on message {MessageId} (attempt {Count} of {Max}); moving it to {Poison}", function.Name, message.MessageId, message.DequeueCount, options.MaxDequeueCount, poison.Name);
                await MoveToPoisonAsync(queue, poison, message.MessageId, popReceipt, message.Body);
            }
            else
            {
                logger.LogWarning(failure, "{Function} failed on message {MessageId} (attempt {Count} of {Max}); retrying in {Delay}", function.Name, message.MessageId, message.DequeueCount, options.MaxDequeueCount, options.VisibilityTimeout);
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not settle message {MessageId} of {Queue}; it comes back when its lease ends", message.MessageId, queue.Name);
        }
    }

    /// <summary>As the Functions host does, the poison queue is created when it is first needed.</summary>
    private static async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, string messageId, string popReceipt, BinaryData body)
    {
        await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        await poison.SendMessageAsync(body, cancellationToken: CancellationToken.None);
        await queue.DeleteMessageAsync(messageId, popReceipt, CancellationToken.None);
    }

    /// <summary>Binds as the isolated worker does: the trigger as a string, <see cref="QueueMessage"/> or <see cref="BinaryData"/>, and a <see cref="CancellationToken"/>.</summary>
    private static Func<IServiceProvider, QueueMessage, CancellationToken, Task> Invoker(QueueFunction function)
    {
        var method = function.Method;
        var binders = method.GetParameters().Select(parameter => Binder(function, parameter)).ToArray();
        if (!typeof(Task).IsAssignableFrom(method.ReturnType))
        {
            throw new InvalidOperationException($"Queue function {function.Name} must return a Task.");
        }
        return async (services, message, cancellationToken) =>
        {
            var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, function.Class);
            try
            {
                await (Task)method.Invoke(target, binders.Select(bind => bind(message, cancellationToken)).ToArray())!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            }
        };
    }

    private static Func<QueueMessage, CancellationToken, object?> Binder(QueueFunction function, ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is not null)
        {
            return parameter.ParameterType switch
            {
                var t when t == typeof(string) => (message, _) => message.MessageText,
                var t when t == typeof(QueueMessage) => (message, _) => message,
                var t when t == typeof(BinaryData) => (message, _) => message.Body,
                _ => throw new InvalidOperationException($"{function.Name}: bind the queue trigger as string, QueueMessage or BinaryData."),
            };
        }
        return parameter.ParameterType == typeof(CancellationToken)
            ? (_, cancellationToken) => cancellationToken
            : throw new InvalidOperationException($"{function.Name}: parameter '{parameter.Name}' cannot be bound by the local host.");
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Setting();
}
