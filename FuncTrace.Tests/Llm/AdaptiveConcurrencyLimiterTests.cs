using FuncTrace.Domain.Llm;

namespace FuncTrace.Tests.Llm;

public sealed class AdaptiveConcurrencyLimiterTests
{
    private static async Task<List<AdaptiveConcurrencyLimiter.Lease>> AcquireAsync(AdaptiveConcurrencyLimiter limiter, int count)
    {
        var leases = new List<AdaptiveConcurrencyLimiter.Lease>();
        for (var i = 0; i < count; i++)
        {
            leases.Add(await limiter.AcquireAsync());
        }
        return leases;
    }

    [Fact]
    public async Task NoMoreThanTheLimitRunAtOnceAndAReleaseLetsTheNextIn()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 2);
        var running = await AcquireAsync(limiter, 2);

        var waiting = limiter.AcquireAsync().AsTask();

        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, limiter.InFlight);
        running[0].Dispose();
        using var third = await waiting;
        Assert.Equal(2, limiter.InFlight);
        running[1].Dispose();
        Assert.Equal(1, limiter.InFlight);
    }

    [Fact]
    public async Task WaitersAreServedInTheOrderTheyCame()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 1);
        var first = await limiter.AcquireAsync();
        var second = limiter.AcquireAsync().AsTask();
        var third = limiter.AcquireAsync().AsTask();

        first.Dispose();

        using var secondLease = await second;
        Assert.False(third.IsCompleted);
        secondLease.Dispose();
        (await third).Dispose();
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public async Task DisposingALeaseTwiceReleasesOneSlot()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 2);
        var leases = await AcquireAsync(limiter, 2);

        leases[0].Dispose();
        leases[0].Dispose();

        Assert.Equal(1, limiter.InFlight);
    }

    [Fact]
    public async Task ARateLimitHalvesTheLimitDownToOne()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 8);
        var expected = new[] { 4, 2, 1, 1 };

        foreach (var limit in expected)
        {
            using var lease = await limiter.AcquireAsync();
            lease.RecordRateLimited();
            Assert.Equal(limit, limiter.Limit);
        }
    }

    [Fact]
    public async Task ABurstOfRateLimitsFromCallsAlreadyInFlightHalvesOnce()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 8);
        var burst = await AcquireAsync(limiter, 8);

        foreach (var lease in burst)
        {
            lease.RecordRateLimited();
            lease.Dispose();
        }

        Assert.Equal(4, limiter.Limit);
    }

    [Fact]
    public async Task ALowerLimitHoldsNewCallsUntilEnoughFinish()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 4);
        var running = await AcquireAsync(limiter, 4);
        running[0].RecordRateLimited();

        running[0].Dispose();
        var waiting = limiter.AcquireAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        running[1].Dispose();
        Assert.False(waiting.IsCompleted);
        running[2].Dispose();

        using var admitted = await waiting;
        Assert.Equal(2, limiter.Limit);
        Assert.Equal(2, limiter.InFlight);
        running[3].Dispose();
    }

    [Fact]
    public async Task ARunOfSuccessesRaisesTheLimitByOneUpToTheMax()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 4, successesPerStep: 3);
        using (var lease = await limiter.AcquireAsync())
        {
            lease.RecordRateLimited();
        }
        Assert.Equal(2, limiter.Limit);

        var limits = new List<int>();
        for (var i = 0; i < 9; i++)
        {
            using var lease = await limiter.AcquireAsync();
            lease.RecordSuccess();
            limits.Add(limiter.Limit);
        }

        Assert.Equal([2, 2, 3, 3, 3, 4, 4, 4, 4], limits);
    }

    [Fact]
    public async Task ARateLimitStartsTheRunOfSuccessesAgain()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 4, successesPerStep: 2);
        var leases = await AcquireAsync(limiter, 3);
        leases[0].RecordRateLimited();
        leases[1].RecordSuccess();
        leases[2].RecordRateLimited();
        leases.ForEach(lease => lease.Dispose());

        Assert.Equal(2, limiter.Limit);
        using var next = await limiter.AcquireAsync();
        next.RecordSuccess();
        Assert.Equal(2, limiter.Limit);
    }

    [Fact]
    public async Task ARaisedLimitAdmitsAWaiter()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 2, successesPerStep: 1);
        var first = await limiter.AcquireAsync();
        first.RecordRateLimited();
        var waiting = limiter.AcquireAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        first.RecordSuccess();

        using var admitted = await waiting;
        Assert.Equal(2, limiter.InFlight);
        first.Dispose();
    }

    [Fact]
    public async Task ACancelledWaiterGivesUpItsPlaceWithoutTakingASlot()
    {
        var limiter = new AdaptiveConcurrencyLimiter(maxConcurrency: 1);
        var running = await limiter.AcquireAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = limiter.AcquireAsync(cancel.Token).AsTask();
        var next = limiter.AcquireAsync().AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        running.Dispose();
        using var nextLease = await next;
        Assert.Equal(1, limiter.InFlight);
    }
}
