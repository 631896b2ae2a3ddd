using System.Text;
using Azure;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Queues;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Storage;

public sealed class QueueClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly QueueClient _queue = new(TestStorage.Account, TestStorage.UniqueName("q"));

    public async Task InitializeAsync() => Assert.True(await _queue.CreateIfNotExistsAsync());

    public async Task DisposeAsync() => await _queue.DeleteIfExistsAsync();

    [Fact]
    public async Task SentMessageIsReceivedWithItsTextAndDeletingItTwiceIsNotAnError()
    {
        const string text = "{\"event\":\"scored\",\"note\":\"ünïcode <&> 🚀\"}";
        var sent = await _queue.SendMessageAsync(text);

        var received = Assert.Single(await _queue.ReceiveMessagesAsync(32, Lease));

        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal(text, received.Text);
        Assert.Equal(1, received.DequeueCount);
        Assert.False(string.IsNullOrEmpty(received.PopReceipt));
        Assert.Equal(sent.InsertedOn, received.InsertedOn);
        Assert.InRange(received.NextVisibleOn, DateTimeOffset.UtcNow.AddSeconds(20), DateTimeOffset.UtcNow.AddSeconds(40));
        Assert.True(await _queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));
        Assert.False(await _queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));
        Assert.Empty(await _queue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task MessagesAreBase64EncodedOnTheWire()
    {
        const string text = "hello, functions host";
        await _queue.SendMessageAsync(text);
        var raw = new QueueClient(TestStorage.Account, _queue.Name) { MessageEncoding = QueueMessageEncoding.None };

        var onTheWire = Assert.Single(await raw.PeekMessagesAsync(1));
        var decoded = Assert.Single(await _queue.PeekMessagesAsync(1));

        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), onTheWire.Text);
        Assert.Equal(text, decoded.Text);
    }

    [Fact]
    public async Task TextFromAProducerThatDoesNotEncodeIsReturnedAsSent()
    {
        const string text = "plain text: {\"a\": 1} <b>&amp;</b>";
        var raw = new QueueClient(TestStorage.Account, _queue.Name) { MessageEncoding = QueueMessageEncoding.None };
        await raw.SendMessageAsync(text);

        var received = Assert.Single(await _queue.ReceiveMessagesAsync(1, Lease));

        Assert.Equal(text, received.Text);
    }

    [Fact]
    public async Task ReceivedMessageStaysHiddenUntilItsVisibilityTimeoutAndThenReappearsWithDequeueCountTwo()
    {
        var sent = await _queue.SendMessageAsync("retry me");
        var first = Assert.Single(await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1)));

        Assert.Empty(await _queue.ReceiveMessagesAsync(1, Lease));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var second = Assert.Single(await _queue.ReceiveMessagesAsync(1, Lease));

        Assert.Equal(1, first.DequeueCount);
        Assert.Equal(sent.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.Equal("retry me", second.Text);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);
    }

    [Fact]
    public async Task UpdatingVisibilityReturnsANewPopReceiptAndMovesTheNextVisibleTime()
    {
        await _queue.SendMessageAsync("lease me");
        var received = Assert.Single(await _queue.ReceiveMessagesAsync(1, Lease));

        var extended = await _queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromMinutes(5));

        Assert.NotEqual(received.PopReceipt, extended.PopReceipt);
        Assert.InRange(extended.NextVisibleOn, DateTimeOffset.UtcNow.AddMinutes(4), DateTimeOffset.UtcNow.AddMinutes(6));
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => _queue.DeleteMessageAsync(received.MessageId, received.PopReceipt));
        Assert.Equal(400, stale.Status);
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);

        var released = await _queue.UpdateVisibilityAsync(received.MessageId, extended.PopReceipt, TimeSpan.Zero);
        var again = Assert.Single(await _queue.ReceiveMessagesAsync(1, Lease));

        Assert.Equal(received.MessageId, again.MessageId);
        Assert.Equal(2, again.DequeueCount);
        Assert.True(released.NextVisibleOn <= DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.True(await _queue.DeleteMessageAsync(again.MessageId, again.PopReceipt));
    }

    [Fact]
    public async Task PeekingNeitherHidesTheMessageNorCountsADequeue()
    {
        await _queue.SendMessageAsync("look, don't touch");

        var firstPeek = Assert.Single(await _queue.PeekMessagesAsync(32));
        var secondPeek = Assert.Single(await _queue.PeekMessagesAsync(32));
        var received = Assert.Single(await _queue.ReceiveMessagesAsync(1, Lease));

        Assert.Equal(0, firstPeek.DequeueCount);
        Assert.Equal(0, secondPeek.DequeueCount);
        Assert.Equal("look, don't touch", secondPeek.Text);
        Assert.Equal(1, received.DequeueCount);
        Assert.Empty(await _queue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task MessageSentWithAVisibilityTimeoutIsHiddenAtFirst()
    {
        var sent = await _queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(2));

        Assert.Empty(await _queue.PeekMessagesAsync(1));
        Assert.Equal(sent.InsertedOn.AddSeconds(2), sent.NextVisibleOn);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("later", Assert.Single(await _queue.PeekMessagesAsync(1)).Text);
    }

    [Fact]
    public async Task MessageExpiresAfterItsTimeToLive()
    {
        var sent = await _queue.SendMessageAsync("short-lived", timeToLive: TimeSpan.FromSeconds(1));

        Assert.Equal(sent.InsertedOn.AddSeconds(1), sent.ExpiresOn);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Empty(await _queue.PeekMessagesAsync(32));
    }

    [Fact]
    public async Task MessageWithTheDefaultTimeToLiveExpiresInSevenDays()
    {
        var sent = await _queue.SendMessageAsync("default");

        Assert.Equal(sent.InsertedOn.AddDays(7), sent.ExpiresOn);
    }

    [Fact]
    public async Task MessageWithAnInfiniteTimeToLiveNeverExpires()
    {
        var sent = await _queue.SendMessageAsync("forever", timeToLive: TimeSpan.MaxValue);

        var peeked = Assert.Single(await _queue.PeekMessagesAsync(1));

        Assert.Equal(9999, sent.ExpiresOn.Year);
        Assert.Equal(9999, peeked.ExpiresOn.Year);
    }

    [Fact]
    public async Task ReceiveReturnsUpToTheRequestedNumberOfDistinctMessages()
    {
        for (var i = 0; i < 5; i++)
        {
            await _queue.SendMessageAsync($"m{i}");
        }

        var three = await _queue.ReceiveMessagesAsync(3, Lease);
        var rest = await _queue.ReceiveMessagesAsync(32, Lease);

        Assert.Equal(3, three.Count);
        Assert.Equal(2, rest.Count);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], three.Concat(rest).Select(m => m.Text).Order());
    }

    [Fact]
    public async Task ApproximateMessageCountCountsVisibleAndHiddenMessages()
    {
        Assert.Equal(0, await _queue.GetApproximateMessageCountAsync());
        for (var i = 0; i < 3; i++)
        {
            await _queue.SendMessageAsync($"count {i}");
        }
        await _queue.ReceiveMessagesAsync(1, Lease);

        Assert.Equal(3, await _queue.GetApproximateMessageCountAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    [InlineData(-1)]
    public async Task AskingForMoreThan32OrFewerThan1MessagesIsRejectedBeforeAnyRequest(int maxMessages)
    {
        // Nothing listens on this endpoint: reaching the network would fail differently.
        var unreachable = StorageAccount.Development(blobPort: 1, queuePort: 1, tablePort: 1);
        var queue = new QueueClient(unreachable, "never-sent");

        var receive = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveMessagesAsync(maxMessages, Lease));
        var peek = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.PeekMessagesAsync(maxMessages));

        Assert.Equal("maxMessages", receive.ParamName);
        Assert.Equal("maxMessages", peek.ParamName);
    }

    [Fact]
    public async Task TimeoutsOutsideTheServiceLimitsAreRejectedBeforeAnyRequest()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.ReceiveMessagesAsync(1, TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.SendMessageAsync("x", visibilityTimeout: TimeSpan.FromDays(8)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _queue.SendMessageAsync("x", timeToLive: TimeSpan.Zero));
        Assert.Equal(0, await _queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task CreatingAndDeletingAQueueTwiceIsNotAnError()
    {
        var queue = new QueueClient(TestStorage.Account, TestStorage.UniqueName("twice"));

        Assert.True(await queue.CreateIfNotExistsAsync());
        Assert.False(await queue.CreateIfNotExistsAsync());
        Assert.True(await queue.DeleteIfExistsAsync());
        Assert.False(await queue.DeleteIfExistsAsync());
    }

    [Fact]
    public async Task SendingToAMissingQueueFailsWith404QueueNotFound()
    {
        var missing = new QueueClient(TestStorage.Account, TestStorage.UniqueName("missing"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => missing.SendMessageAsync("lost"));

        Assert.Equal(404, error.Status);
        Assert.Equal("QueueNotFound", error.ErrorCode);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("double--hyphen")]
    [InlineData("trailing-")]
    public void InvalidQueueNamesAreRejectedBeforeAnyRequest(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new QueueClient(TestStorage.Account, name));

        Assert.Equal("queueName", error.ParamName);
    }

    [Fact]
    public async Task WrongAccountKeyFailsWith403AndAnAuthErrorCode()
    {
        var queue = new QueueClient(WrongKeyAccount.Create(), _queue.Name);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendMessageAsync("x"));

        Assert.Equal(403, error.Status);
        Assert.NotNull(error.ErrorCode);
        Assert.Contains(error.ErrorCode, WrongKeyAccount.ErrorCodes);
    }
}
