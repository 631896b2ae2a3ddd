using FuncTrace.Domain.Errors;

namespace FuncTrace.Domain.Concurrency;

/// <summary>
/// The one read-modify-write loop every optimistic update uses: run <c>attempt</c>; when it reports that another
/// writer got there first (an ETag mismatch or a key taken), back off with jitter and run it again, up to
/// <see cref="MaxAttempts"/> times. Spent retries are a 503: nothing was written and the caller may retry.
/// </summary>
public static class OptimisticRetry
{
    public const int MaxAttempts = 16;

    /// <param name="attempt">Reads, decides and writes; returns the result, or throws.</param>
    /// <param name="isConflict">Whether an exception means "someone else wrote first, read again".</param>
    public static async Task<T> RunAsync<T>(Func<Task<T>> attempt, Func<Exception, bool> isConflict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(isConflict);
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception ex) when (isConflict(ex) && n < MaxAttempts)
            {
                await Task.Delay(Backoff(n), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (isConflict(ex))
            {
                throw new FuncTraceException(ErrorCode.ServiceUnavailable,
                    "The data changed under this request too often; nothing was written, retry shortly.", inner: ex);
            }
        }
    }

    /// <summary>2, 4, 8 ... ms up to 200 ms, each with up to as much again of jitter so racing writers spread out.</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var baseMs = Math.Min(200, 1 << Math.Min(attempt, 8));
        return TimeSpan.FromMilliseconds(baseMs + Random.Shared.Next(baseMs + 1));
    }
}
