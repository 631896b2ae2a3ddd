namespace FuncTrace.Domain.Llm;

/// <summary>
/// Bounds how many LLM calls run at once, and adapts the bound to the endpoint's throttling (AIMD): a call that
/// ends rate limited (429, after the client's own Retry-After retries) halves the limit, down to 1; every
/// <see cref="SuccessesPerStep"/> successes in a row raise it by 1, up to <see cref="MaxConcurrency"/>.
/// Calls that were already in flight when the limit dropped cannot halve it again: one burst of 429s is one
/// signal, not eight. Waiters are served first come, first served.
/// </summary>
public sealed class AdaptiveConcurrencyLimiter
{
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource<Lease>> _waiters = new();
    private int _inFlight;
    private int _successesInARow;
    private long _generation;

    public AdaptiveConcurrencyLimiter(int maxConcurrency, int successesPerStep = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(successesPerStep, 1);
        MaxConcurrency = maxConcurrency;
        SuccessesPerStep = successesPerStep;
        Limit = maxConcurrency;
    }

    public int MaxConcurrency { get; }

    public int SuccessesPerStep { get; }

    /// <summary>How many calls may run now.</summary>
    public int Limit { get; private set; }

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>Waits for a slot. Dispose the lease when the call is over; report how it went first.</summary>
    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<Lease> waiter;
        LinkedListNode<TaskCompletionSource<Lease>> node;
        lock (_gate)
        {
            if (_inFlight < Limit && _waiters.Count == 0)
            {
                _inFlight++;
                return ValueTask.FromResult(new Lease(this, _generation));
            }
            waiter = new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }
        return new ValueTask<Lease>(WaitAsync(waiter, node, cancellationToken));
    }

    private async Task<Lease> WaitAsync(TaskCompletionSource<Lease> waiter, LinkedListNode<TaskCompletionSource<Lease>> node, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                // Still queued means no slot was handed over, so nothing needs giving back.
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    waiter.TrySetCanceled(cancellationToken);
                }
            }
        });
        return await waiter.Task.ConfigureAwait(false);
    }

    private void Succeeded()
    {
        lock (_gate)
        {
            if (++_successesInARow < SuccessesPerStep)
            {
                return;
            }
            _successesInARow = 0;
            if (Limit < MaxConcurrency)
            {
                Limit++;
                ServeWaiters();
            }
        }
    }

    private void RateLimited(long leaseGeneration)
    {
        lock (_gate)
        {
            _successesInARow = 0;
            if (leaseGeneration == _generation)
            {
                Limit = Math.Max(1, Limit / 2);
                _generation++;
            }
        }
    }

    private void Release()
    {
        lock (_gate)
        {
            _inFlight--;
            ServeWaiters();
        }
    }

    private void ServeWaiters()
    {
        while (_inFlight < Limit && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _inFlight++;
            first.Value.TrySetResult(new Lease(this, _generation));
        }
    }

    /// <summary>One slot. Report the outcome (<see cref="RecordSuccess"/> or <see cref="RecordRateLimited"/>), then dispose it.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly AdaptiveConcurrencyLimiter _limiter;
        private readonly long _generation;
        private int _released;

        internal Lease(AdaptiveConcurrencyLimiter limiter, long generation)
        {
            _limiter = limiter;
            _generation = generation;
        }

        public void RecordSuccess() => _limiter.Succeeded();

        public void RecordRateLimited() => _limiter.RateLimited(_generation);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _limiter.Release();
            }
        }
    }
}
