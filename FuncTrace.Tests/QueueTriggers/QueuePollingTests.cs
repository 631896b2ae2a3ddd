using FuncTrace.LocalHost;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using FuncTrace.Tests.TestFunctions;

namespace FuncTrace.Tests.QueueTriggers;

/// <summary>How the listener waits on an empty queue, read from the delays it logs (what it chose, not how long it took).</summary>
public sealed class QueuePollingTests
{
    [Fact]
    public async Task AnEmptyQueueIsPolledWithADelayThatDoublesUpToMaxPollingIntervalAndStartsOverAfterAMessage()
    {
        var script = new QueueScript();
        var logs = new LogRecorder();
        await using var app = await QueueTriggerApp.StartAsync(script, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.800",
            ["AzureFunctionsJobHost:logging:logLevel:" + typeof(QueueTriggerHost).FullName] = "Debug",
        }, services => services.AddSingleton<ILoggerProvider>(logs));

        await Eventually.HoldsAsync("six empty polls", () => Delays(logs, app).Count >= 6);
        await app.Queue().SendMessageAsync("wakes it up");
        await Eventually.HoldsAsync("the message ran and the queue was polled empty again", () => !script.Attempts.IsEmpty && Delays(logs, app).Count >= 8);

        var delays = Delays(logs, app).Select(d => d.TotalMilliseconds).ToList();
        Assert.Equal([100, 200, 400, 800, 800, 800], delays.Take(6));
        var afterMessage = delays.Skip(6).SkipWhile(d => d == 800).First();
        Assert.Equal(100, afterMessage);
    }

    private static List<TimeSpan> Delays(LogRecorder logs, QueueTriggerApp app) => logs.Entries
        .Where(e => e.Category == typeof(QueueTriggerHost).FullName && e.Level == LogLevel.Debug && Equals(e.Values.GetValueOrDefault("Queue"), app.Queue().Name))
        .Select(e => (TimeSpan)e.Values["Delay"]!)
        .ToList();
}
