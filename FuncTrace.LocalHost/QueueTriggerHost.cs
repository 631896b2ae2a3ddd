using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.LocalHost;

/// <summary>
/// Drives each queue-triggered function from its real queue, as the Functions host's queue listener does with
/// <c>host.json</c>'s settings: up to <c>batchSize</c> messages at a time, more once no more than <c>newBatchThreshold</c>
/// are running; an empty queue is polled again after a delay that doubles up to <c>maxPollingInterval</c>. A received
/// message stays hidden while its function runs; then it is deleted (success), hidden for <c>visibilityTimeout</c> (a
/// retry), or — on its <c>maxDequeueCount</c>-th failure, or when it arrives already past it — copied to
/// <c>&lt;queue&gt;-poison</c> (created when missing) and deleted. A message that is not base64 is moved there as it is,
/// as the host does. Queue names resolve <c>%setting%</c> from configuration, as the host does.
/// </summary>
public sealed partial class QueueTriggerHost : BackgroundService
{
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly FunctionCatalog _catalog;
    private readonly IServiceScopeFactory _scopes;
    private readonly IConfiguration _configuration;
    private readonly QueueHostOptions _options;
    private readonly LocalHostOptions _local;
    private readonly ILogger<QueueTriggerHost> _logger;
    private readonly QueueServiceClient _queues;

    /// <summary>The same account without base64 decoding: what moves a message that cannot be decoded, byte for byte.</summary>
    private readonly QueueServiceClient _undecoded;

    public QueueTriggerHost(
        FunctionCatalog catalog,
        StorageConnection storage,
        IServiceScopeFactory scopes,
        IConfiguration configuration,
        IOptions<QueueHostOptions> options,
        IOptions<LocalHostOptions> local,
        ILogger<QueueTriggerHost> logger)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(local);
        (_catalog, _scopes, _configuration, _options, _local, _logger) = (catalog, scopes, configuration, options.Value, local.Value, logger);
        _undecoded = storage.CreateQueueServiceClient(o => o.MessageEncoding = QueueMessageEncoding.None);
        _queues = storage.CreateQueueServiceClient(o => o.MessageDecodingFailed += MoveUndecodableAsync);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var function in _catalog.Queue)
        {
            if (function.Connection != StorageConnection.Setting)
            {
                throw new InvalidOperationException($"{function.Name} reads queue connection '{function.Connection}'; the local host serves '{StorageConnection.Setting}' only.");
            }
            ResolveQueueName(function);
        }
        _logger.LogInformation(
            "Queue triggers {State}: batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxDequeueCount {MaxDequeueCount}, visibilityTimeout {VisibilityTimeout}, maxPollingInterval {MaxPollingInterval}, message lease {MessageLease}",
            _local.QueueTriggers ? "on" : "off", _options.BatchSize, _options.EffectiveNewBatchThreshold, _options.MaxDequeueCount, _options.VisibilityTimeout, _options.MaxPollingInterval, _local.MessageLease);
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _local.QueueTriggers
            ? Task.WhenAll(_catalog.Queue.Select(function => ListenAsync(function, stoppingToken)))
            : Task.CompletedTask;

    /// <summary>Expands <c>%name%</c> from configuration; a missing setting stops the start, naming it.</summary>
    public string ResolveQueueName(QueueFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Setting().Replace(function.QueueName, match =>
            _configuration[match.Groups[1].Value] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{function.Name}: its queue name '{function.QueueName}' needs the setting '{match.Groups[1].Value}' (app setting {match.Groups[1].Value.Replace(":", "__", StringComparison.Ordinal)})."));
    }

    private async Task ListenAsync(QueueFunction function, CancellationToken stoppingToken)
    {
        var queue = _queues.GetQueueClient(ResolveQueueName(function));
        var invoke = QueueFunctionInvoker.For(function);
        var idleDelay = MinPollingInterval;
        var inFlight = new List<Task>();
        _logger.LogInformation("Listening to queue {Queue} for {Function}", queue.Name, function.Name);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                inFlight.RemoveAll(task => task.IsCompleted);
                if (inFlight.Count > _options.EffectiveNewBatchThreshold)
                {
                    await Task.WhenAny(inFlight);
                    continue;
                }
                var messages = await ReceiveAsync(queue, stoppingToken);
                if (messages.Length == 0)
                {
                    _logger.LogDebug("Queue {Queue} is empty; polling again in {Delay}", queue.Name, idleDelay);
                    await Task.Delay(idleDelay, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, _options.MaxPollingInterval.Ticks));
                    continue;
                }
                idleDelay = MinPollingInterval;
                inFlight.AddRange(messages.Select(message => ProcessAsync(function, invoke, queue, message, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running functions see the same token and hand their messages back.
        }
        await Task.WhenAll(inFlight);
    }

    private async Task<QueueMessage[]> ReceiveAsync(QueueClient queue, CancellationToken stoppingToken)
    {
        try
        {
            return (await queue.ReceiveMessagesAsync(_options.BatchSize, _local.MessageLease, stoppingToken)).Value;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Storage down (the client's spent retries end in an AggregateException): an empty poll, never the listener's end.
            _logger.LogWarning(ex, "Could not poll queue {Queue}; will try again", queue.Name);
            return [];
        }
    }

    private async Task ProcessAsync(QueueFunction function, Func<IServiceProvider, QueueMessage, CancellationToken, Task> invoke,
        QueueClient queue, QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                _logger.LogError("{Function}: message {MessageId} was dequeued {Count} times without finishing; moving it to its poison queue", function.Name, message.MessageId, message.DequeueCount);
                await MoveToPoisonAsync(queue, _queues, message.MessageId, message.PopReceipt, message.Body);
                return;
            }
            var (failure, popReceipt) = await RunLeasedAsync(invoke, queue, message, stoppingToken);
            if (popReceipt is null)
            {
                return;
            }
            if (failure is null)
            {
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None);
            }
            else if (stoppingToken.IsCancellationRequested)
            {
                _logger.LogInformation("{Function} stopped with the host on message {MessageId}; handing it back to the queue", function.Name, message.MessageId);
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
            else if (message.DequeueCount >= _options.MaxDequeueCount)
            {
                _logger.LogError(failure, "{Function} failed on message {MessageId} (attempt {Count} of {Max}); moving it to its poison queue", function.Name, message.MessageId, message.DequeueCount, _options.MaxDequeueCount);
                await MoveToPoisonAsync(queue, _queues, message.MessageId, popReceipt, message.Body);
            }
            else
            {
                _logger.LogWarning(failure, "{Function} failed on message {MessageId} (attempt {Count} of {Max}); retrying in {Delay}", function.Name, message.MessageId, message.DequeueCount, _options.MaxDequeueCount, _options.VisibilityTimeout);
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, visibilityTimeout: _options.VisibilityTimeout, cancellationToken: CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or IOException or HttpRequestException)
        {
            _logger.LogWarning(ex, "Could not settle message {MessageId} of {Queue}; it comes back when its lease ends", message.MessageId, queue.Name);
        }
    }

    /// <summary>Runs the function with the message's lease renewed; the failure (null on success) and the latest pop receipt (null when the lease was lost).</summary>
    private async Task<(Exception? Failure, string? PopReceipt)> RunLeasedAsync(
        Func<IServiceProvider, QueueMessage, CancellationToken, Task> invoke, QueueClient queue, QueueMessage message, CancellationToken stoppingToken)
    {
        using var lease = new MessageLease(queue, message, _local.MessageLease, _logger);
        Exception? failure = null;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await invoke(scope.ServiceProvider, message, stoppingToken);
        }
        catch (Exception ex)
        {
            // Whatever the function throws is its failure: the message is retried or given up, never the listener.
            failure = ex;
        }
        return (failure, await lease.StopAsync());
    }

    /// <summary>As the Functions host does with a message it cannot decode: straight to the poison queue, unchanged.</summary>
    private async Task MoveUndecodableAsync(QueueMessageDecodingFailedEventArgs args)
    {
        if (args.ReceivedMessage is not { } message)
        {
            return;
        }
        _logger.LogError("Message {MessageId} of {Queue} is not base64, the queue trigger's encoding; moving it to its poison queue without running a function", message.MessageId, args.Queue.Name);
        await MoveToPoisonAsync(args.Queue, _undecoded, message.MessageId, message.PopReceipt, message.Body);
    }

    private static async Task MoveToPoisonAsync(QueueClient queue, QueueServiceClient writer, string messageId, string popReceipt, BinaryData body)
    {
        var poison = writer.GetQueueClient(StorageNames.Poison(queue.Name));
        try
        {
            await poison.SendMessageAsync(body, cancellationToken: CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.QueueNotFound)
        {
            await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
            await poison.SendMessageAsync(body, cancellationToken: CancellationToken.None);
        }
        await queue.DeleteMessageAsync(messageId, popReceipt, CancellationToken.None);
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Setting();
}
