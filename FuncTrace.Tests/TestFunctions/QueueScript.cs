using System.Collections.Concurrent;
using Azure.Storage.Queues.Models;

namespace FuncTrace.Tests.TestFunctions;

/// <summary>One delivery of a message to <see cref="TestQueueFunctions.Work"/>.</summary>
public sealed record QueueAttempt(string MessageId, string Text, long DequeueCount, DateTimeOffset StartedAt);

/// <summary>What the test queue functions do in one test, and what they saw: every attempt, and how many ran at once.</summary>
public sealed class QueueScript(Func<QueueAttempt, CancellationToken, Task> behaviour)
{
    private readonly Lock _count = new();
    private int _running;
    private int _peak;

    public QueueScript()
        : this((_, _) => Task.CompletedTask)
    {
    }

    public ConcurrentQueue<QueueAttempt> Attempts { get; } = new();

    /// <summary>The texts the string and BinaryData triggers received.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

    public int Running
    {
        get
        {
            lock (_count)
            {
                return _running;
            }
        }
    }

    /// <summary>The most attempts that ever ran at the same time.</summary>
    public int PeakRunning
    {
        get
        {
            lock (_count)
            {
                return _peak;
            }
        }
    }

    public static Task Fail(QueueAttempt attempt, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"cannot handle '{attempt.Text}'");

    public async Task RunAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var attempt = new QueueAttempt(message.MessageId, message.MessageText, message.DequeueCount, DateTimeOffset.UtcNow);
        Attempts.Enqueue(attempt);
        lock (_count)
        {
            _peak = Math.Max(_peak, ++_running);
        }
        try
        {
            await behaviour(attempt, cancellationToken);
        }
        finally
        {
            lock (_count)
            {
                _running--;
            }
        }
    }
}
