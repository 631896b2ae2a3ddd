using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// Reads a request body block by block, counting it: it fails with 413 (<paramref name="tooLarge"/>) the moment the body
/// passes the limit, so no more than one block is ever held, and with 408 when the body stops arriving for
/// <paramref name="idle"/> (<c>FuncTrace__RequestBodyIdleSeconds</c>) — Kestrel's own minimum data rate is an average over
/// the whole body, so a fast start would buy a stalled client hours.
/// </summary>
public sealed class BoundedBody(Stream body, long maxBytes, TimeSpan idle, Func<long, FuncTraceException> tooLarge, CancellationToken cancellationToken) : IDisposable
{
    private readonly CancellationTokenSource _idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

    public long Total { get; private set; }

    /// <summary>Fills <paramref name="block"/>; fewer bytes than it holds means the body has ended.</summary>
    public async Task<int> FillAsync(Memory<byte> block)
    {
        var filled = 0;
        while (filled < block.Length)
        {
            var read = await ReadAsync(block[filled..]);
            if (read == 0)
            {
                break;
            }
            filled += read;
            Total += read;
            if (Total > maxBytes)
            {
                throw tooLarge(maxBytes);
            }
        }
        return filled;
    }

    private async Task<int> ReadAsync(Memory<byte> buffer)
    {
        // Armed only while waiting for the client: time spent staging a block is not the client's silence.
        _idle.CancelAfter(idle);
        try
        {
            return await body.ReadAsync(buffer, _idle.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FuncTraceException(ErrorCode.RequestTimeout,
                $"The request body stopped arriving for {idle.TotalSeconds:0} s before it was complete; nothing was stored.");
        }
        finally
        {
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose() => _idle.Dispose();
}
