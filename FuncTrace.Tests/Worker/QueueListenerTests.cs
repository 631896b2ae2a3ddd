using System.Collections.Concurrent;
using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage.Queues;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Worker;

public sealed class QueueListenerTests
{
    [Fact]
    public async Task AMessageSentToTheQueueIsHandledOnceAndDeleted()
    {
        var handler = new RecordingHandler(WorkerApp.NewQueueName(), RecordingHandler.Succeed);
        using var app = new WorkerApp(handler);
        await app.StartAsync();

        var sent = await app.Queue.SendMessageAsync("{\"jobId\":\"j1\",\"note\":\"ünïcode\"}");

        await Eventually.HoldsAsync("the message was handled and deleted", async () =>
            !handler.Attempts.IsEmpty && await app.Queue.GetApproximateMessageCountAsync() == 0);
        var attempt = Assert.Single(handler.Attempts);
        Assert.Equal(sent.MessageId, attempt.MessageId);
        Assert.Equal("{\"jobId\":\"j1\",\"note\":\"ünïcode\"}", attempt.Text);
        Assert.Equal(1, attempt.DequeueCount);
        Assert.Equal(sent.InsertedOn, attempt.InsertedOn);
        Assert.Empty(handler.GivenUp);
    }

    [Fact]
    public async Task AMessageThatFailsTwiceIsRetriedAfterTheBackoffAndDeletedWhenTheThirdAttemptSucceeds()
    {
        var handler = new RecordingHandler(WorkerApp.NewQueueName(),
            (item, ct) => item.DequeueCount < 3 ? RecordingHandler.Fail(item, ct) : Task.CompletedTask);
        using var app = new WorkerApp(handler);
        await app.StartAsync();

        await app.Queue.SendMessageAsync("flaky");

        await Eventually.HoldsAsync("the third attempt succeeded and the message was deleted", async () =>
            handler.Attempts.Count == 3 && await app.Queue.GetApproximateMessageCountAsync() == 0);
        Assert.Equal([1L, 2L, 3L], handler.Attempts.Select(a => a.DequeueCount));
        Assert.All(handler.Attempts, a => Assert.Equal("flaky", a.Text));
        Assert.Empty(handler.GivenUp);
        Assert.Empty(await app.PoisonQueue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task AMessageThatAlwaysFailsIsGivenUpOnceAfterMaxDequeueCountAttemptsAndMovedToThePoisonQueue()
    {
        var handler = new RecordingHandler(WorkerApp.NewQueueName(), RecordingHandler.Fail);
        using var app = new WorkerApp(handler, new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3" });
        await app.StartAsync();

        await app.Queue.SendMessageAsync("{\"testId\":\"t-7\"}");

        await Eventually.HoldsAsync("the message moved to the poison queue", async () =>
            await app.PoisonQueue.GetApproximateMessageCountAsync() == 1 && await app.Queue.GetApproximateMessageCountAsync() == 0);
        Assert.Equal([1L, 2L, 3L], handler.Attempts.Select(a => a.DequeueCount));
        var (item, reason) = Assert.Single(handler.GivenUp);
        Assert.Equal(3, item.DequeueCount);
        Assert.Equal("{\"testId\":\"t-7\"}", item.Text);
        Assert.Contains("cannot handle", reason, StringComparison.Ordinal);
        Assert.Equal("{\"testId\":\"t-7\"}", Assert.Single(await app.PoisonQueue.PeekMessagesAsync(32)).Text);
    }

    [Fact]
    public async Task AMessageAlreadyDequeuedMoreThanMaxDequeueCountTimesIsGivenUpWithoutRunningTheHandler()
    {
        var handler = new RecordingHandler(WorkerApp.NewQueueName(), RecordingHandler.Succeed);
        using var app = new WorkerApp(handler, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1",
            ["FuncTrace:Worker:Enabled"] = "false",
        });
        await app.StartAsync();
        await app.Queue.SendMessageAsync("crashed the last worker");
        Assert.Single(await app.Queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));
        using var listening = new WorkerApp(handler, new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "1",
            ["FuncTrace:StoragePrefix"] = app.Storage.Prefix,
        });

        await listening.StartAsync();

        await Eventually.HoldsAsync("the message moved to the poison queue", async () =>
            await app.PoisonQueue.GetApproximateMessageCountAsync() == 1 && await app.Queue.GetApproximateMessageCountAsync() == 0);
        Assert.Empty(handler.Attempts);
        var (item, reason) = Assert.Single(handler.GivenUp);
        Assert.Equal(2, item.DequeueCount);
        Assert.Contains("Dequeued 2 times", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALongHandlerKeepsItsMessageHiddenSoASecondConsumerNeverRunsIt()
    {
        var attempts = new ConcurrentQueue<QueueWorkItem>();
        var queueName = WorkerApp.NewQueueName();
        static Task Slow(QueueWorkItem item, CancellationToken ct) => Task.Delay(TimeSpan.FromSeconds(7), ct);
        var shortLease = new Dictionary<string, string?> { ["FuncTrace:Worker:Lease"] = "00:00:03" };
        using var first = new WorkerApp(new RecordingHandler(queueName, Slow) { Attempts = attempts }, shortLease);
        await first.StartAsync();
        using var second = new WorkerApp(new RecordingHandler(queueName, Slow) { Attempts = attempts },
            new Dictionary<string, string?>(shortLease) { ["FuncTrace:StoragePrefix"] = first.Storage.Prefix });
        await second.StartAsync();

        await first.Queue.SendMessageAsync("takes longer than the lease");

        await Eventually.HoldsAsync("the message was handled and deleted", async () =>
            !attempts.IsEmpty && await first.Queue.GetApproximateMessageCountAsync() == 0);
        var attempt = Assert.Single(attempts);
        Assert.Equal(1, attempt.DequeueCount);
    }

    [Fact]
    public async Task StoppingTheAppCancelsARunningHandlerAndLeavesItsMessageToBeDeliveredAgain()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler(WorkerApp.NewQueueName(), async (item, ct) =>
        {
            using var registration = ct.Register(cancelled.SetResult);
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        });
        using var app = new WorkerApp(handler, new Dictionary<string, string?> { ["FuncTrace:Worker:Lease"] = "00:00:02" });
        await app.StartAsync();
        var queue = new QueueClient(TestStorage.Account, app.Queue.Name);
        var sent = await queue.SendMessageAsync("interrupted");
        await Eventually.HoldsAsync("the handler started", () => !handler.Attempts.IsEmpty);

        app.Dispose();

        Assert.True(cancelled.Task.IsCompleted, "The handler did not see the stopping token.");
        await Eventually.HoldsAsync("the message came back", async () => (await queue.PeekMessagesAsync(1)).Count == 1);
        var again = Assert.Single(await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(sent.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
    }
}
