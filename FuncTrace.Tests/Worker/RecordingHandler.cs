using System.Collections.Concurrent;
using FuncTrace.Domain.Queues;

namespace FuncTrace.Tests.Worker;

/// <summary>A queue handler whose behaviour each test chooses, recording every attempt and every give-up.</summary>
public sealed class RecordingHandler(string queueName, string functionName, Func<QueueWorkItem, CancellationToken, Task> behaviour) : IQueueMessageHandler
{
    public RecordingHandler(string queueName, Func<QueueWorkItem, CancellationToken, Task> behaviour)
        : this(queueName, "TestWorker", behaviour)
    {
    }

    public string QueueName { get; } = queueName;

    public string FunctionName { get; } = functionName;

    public ConcurrentQueue<QueueWorkItem> Attempts { get; init; } = new();

    public ConcurrentQueue<(QueueWorkItem Item, string Reason)> GivenUp { get; } = new();

    public static Task Succeed(QueueWorkItem item, CancellationToken cancellationToken) => Task.CompletedTask;

    public static Task Fail(QueueWorkItem item, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"cannot handle '{item.Text}'");

    public async Task HandleAsync(QueueWorkItem item, CancellationToken cancellationToken)
    {
        Attempts.Enqueue(item);
        await behaviour(item, cancellationToken);
    }

    public Task HandlePoisonAsync(QueueWorkItem item, string reason, CancellationToken cancellationToken)
    {
        GivenUp.Enqueue((item, reason));
        return Task.CompletedTask;
    }
}
