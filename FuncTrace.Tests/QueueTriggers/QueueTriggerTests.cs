using Azure.Storage.Queues;
using FuncTrace.Tests.Infrastructure;

using FuncTrace.Tests.TestFunctions;

namespace FuncTrace.Tests.QueueTriggers;

/// <summary>The local host's queue listener against the real Azurite: delivery, retries, poison and shutdown.</summary>
public sealed class QueueTriggerTests
{
    [Fact]
    public async Task AMessageIsHandledOnceAndDeleted()
    {
        var script = new QueueScript();
        await using var app = await QueueTriggerApp.StartAsync(script);

        var sent = await app.Queue().SendMessageAsync("{\"jobId\":\"j1\",\"note\":\"ünïcode\"}");

        await Eventually.HoldsAsync("the message was handled and deleted", async () =>
            !script.Attempts.IsEmpty && await QueueTriggerApp.CountAsync(app.Queue()) == 0);
        var attempt = Assert.Single(script.Attempts);
        Assert.Equal(sent.Value.MessageId, attempt.MessageId);
        Assert.Equal("{\"jobId\":\"j1\",\"note\":\"ünïcode\"}", attempt.Text);
        Assert.Equal(1, attempt.DequeueCount);
        Assert.Equal(0, await QueueTriggerApp.CountAsync(app.Poison()));
    }

    [Fact]
    public async Task StringAndBinaryDataTriggersReceiveTheMessageText()
    {
        var script = new QueueScript();
        await using var app = await QueueTriggerApp.StartAsync(script);

        await app.Queue(TestQueueFunctions.TextQueue).SendMessageAsync("as a string ✓");
        await app.Queue(TestQueueFunctions.BytesQueue).SendMessageAsync("as bytes ✓");

        await Eventually.HoldsAsync("both functions ran", () => script.Bodies.Count == 2);
        Assert.Equal(["as a string ✓", "as bytes ✓"], script.Bodies.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AFailingMessageIsRetriedAfterTheVisibilityTimeoutUntilItSucceeds()
    {
        var script = new QueueScript((attempt, ct) => attempt.DequeueCount < 3 ? QueueScript.Fail(attempt, ct) : Task.CompletedTask);
        await using var app = await QueueTriggerApp.StartAsync(script);

        await app.Queue().SendMessageAsync("flaky");

        await Eventually.HoldsAsync("the third attempt succeeded and the message was deleted", async () =>
            script.Attempts.Count == 3 && await QueueTriggerApp.CountAsync(app.Queue()) == 0);
        var attempts = script.Attempts.ToArray();
        Assert.Equal([1L, 2L, 3L], attempts.Select(a => a.DequeueCount));
        Assert.All(attempts.Zip(attempts.Skip(1)), pair =>
            Assert.True(pair.Second.StartedAt - pair.First.StartedAt >= QueueTriggerApp.VisibilityTimeout,
                $"A retry started {(pair.Second.StartedAt - pair.First.StartedAt).TotalMilliseconds} ms after the failure, inside the visibility timeout."));
        Assert.Equal(0, await QueueTriggerApp.CountAsync(app.Poison()));
    }

    [Fact]
    public async Task AMessageThatAlwaysFailsIsTriedMaxDequeueCountTimesThenMovedToItsPoisonQueue()
    {
        var script = new QueueScript(QueueScript.Fail);
        await using var app = await QueueTriggerApp.StartAsync(script, new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3" });
        Assert.False(await app.Poison().ExistsAsync());

        await app.Queue().SendMessageAsync("{\"testId\":\"t-7\"}");

        await Eventually.HoldsAsync("the message moved to the poison queue", async () =>
            await QueueTriggerApp.CountAsync(app.Poison()) == 1 && await QueueTriggerApp.CountAsync(app.Queue()) == 0);
        Assert.Equal([1L, 2L, 3L], script.Attempts.Select(a => a.DequeueCount));
        Assert.Equal("{\"testId\":\"t-7\"}", Assert.Single((await app.Poison().PeekMessagesAsync(32)).Value).MessageText);
    }

    [Fact]
    public async Task AMessageAlreadyDequeuedMoreThanMaxDequeueCountTimesIsMovedWithoutRunningTheFunction()
    {
        var script = new QueueScript();
        await using var app = await QueueTriggerApp.CreateAsync(script, new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1" });
        await app.Queue().SendMessageAsync("crashed the last instance");
        // A consumer that died holding it: dequeued once, back after a moment.
        Assert.Single((await app.Queue().ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value);

        await app.App.StartAsync();

        await Eventually.HoldsAsync("the message moved to the poison queue", async () =>
            await QueueTriggerApp.CountAsync(app.Poison()) == 1 && await QueueTriggerApp.CountAsync(app.Queue()) == 0);
        Assert.Empty(script.Attempts);
        Assert.Equal("crashed the last instance", Assert.Single((await app.Poison().PeekMessagesAsync(32)).Value).MessageText);
    }

    [Fact]
    public async Task AMessageThatIsNotBase64GoesToItsPoisonQueueUnchangedAndTheListenerCarriesOn()
    {
        var script = new QueueScript();
        await using var app = await QueueTriggerApp.StartAsync(script);
        var raw = TestStorage.Queues(QueueMessageEncoding.None).GetQueueClient(app.Queue().Name);

        await raw.SendMessageAsync("not base64 at all!");
        await app.Queue().SendMessageAsync("a good one after it");

        await Eventually.HoldsAsync("the good message ran and the bad one was moved", async () =>
            script.Attempts.Count == 1 && await QueueTriggerApp.CountAsync(app.Poison()) == 1 && await QueueTriggerApp.CountAsync(app.Queue()) == 0);
        Assert.Equal("a good one after it", Assert.Single(script.Attempts).Text);
        var poisoned = Assert.Single((await TestStorage.Queues(QueueMessageEncoding.None).GetQueueClient(app.Poison().Name).PeekMessagesAsync(32)).Value);
        Assert.Equal("not base64 at all!", poisoned.MessageText);
    }

    [Fact]
    public async Task NoMoreThanBatchSizeRunAtFirstAndMoreAreFetchedOnlyOnceNoMoreThanNewBatchThresholdStillRun()
    {
        using var gate = new SemaphoreSlim(0);
        var script = new QueueScript((_, ct) => gate.WaitAsync(ct));
        await using var app = await QueueTriggerApp.CreateAsync(script, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "3",
            ["AzureFunctionsJobHost:extensions:queues:newBatchThreshold"] = "1",
        });
        for (var i = 0; i < 8; i++)
        {
            await app.Queue().SendMessageAsync($"m{i}");
        }

        await app.App.StartAsync();

        await Eventually.HoldsAsync("a first batch of 3 runs", () => script.Running == 3);
        await Settle();
        Assert.Equal(3, script.Attempts.Count);
        gate.Release();
        await Eventually.HoldsAsync("one finished", () => script.Running == 2);
        await Settle();
        Assert.Equal(3, script.Attempts.Count);
        gate.Release();
        await Eventually.HoldsAsync("a second batch of 3 joins the one still running", () => script.Running == 4 && script.Attempts.Count == 6);
        gate.Release(8);
        await Eventually.HoldsAsync("all 8 ran and were deleted", async () => script.Attempts.Count == 8 && await QueueTriggerApp.CountAsync(app.Queue()) == 0);

        Assert.Equal(4, script.PeakRunning);
        Assert.Equal(8, script.Attempts.Select(a => a.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task ALongRunningFunctionKeepsItsMessageHiddenSoASecondHostNeverRunsIt()
    {
        var script = new QueueScript((_, ct) => Task.Delay(TimeSpan.FromSeconds(5), ct));
        var shortLease = new Dictionary<string, string?> { ["LocalHost:MessageLease"] = "00:00:02" };
        await using var first = await QueueTriggerApp.StartAsync(script, shortLease);
        await using var second = await QueueTriggerApp.StartAsync(script, new Dictionary<string, string?>(shortLease) { ["FuncTrace:StoragePrefix"] = first.Prefix });

        await first.Queue().SendMessageAsync("takes longer than its lease");

        await Eventually.HoldsAsync("the message was handled and deleted", async () =>
            !script.Attempts.IsEmpty && script.Running == 0 && await QueueTriggerApp.CountAsync(first.Queue()) == 0);
        Assert.Equal(1, Assert.Single(script.Attempts).DequeueCount);
    }

    [Fact]
    public async Task StoppingTheHostCancelsARunningFunctionAndHandsItsMessageBackAtOnce()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = new QueueScript(async (_, ct) =>
        {
            await using var registration = ct.Register(cancelled.SetResult);
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        var app = await QueueTriggerApp.StartAsync(script);
        var sent = await app.Queue().SendMessageAsync("interrupted");
        await Eventually.HoldsAsync("the function started", () => !script.Attempts.IsEmpty);

        await app.DisposeAsync();

        Assert.True(cancelled.Task.IsCompleted, "The function did not see the stopping token.");
        // Visible again at once, not after the ten-minute lease.
        var again = Assert.Single((await app.Queue().ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal(sent.Value.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.Equal("interrupted", again.MessageText);
    }

    /// <summary>Long enough for the listener to poll several times (maxPollingInterval is 0.5 s here).</summary>
    private static Task Settle() => Task.Delay(TimeSpan.FromSeconds(1.5));
}
