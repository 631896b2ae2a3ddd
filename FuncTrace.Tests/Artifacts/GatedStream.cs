namespace FuncTrace.Tests.Artifacts;

/// <summary>
/// A body of one repeated byte that gives its first half, then waits to be released before giving the rest. Its first
/// read tells that the upload reading it is past its start (the service reads a body only after noting the artifact's
/// current version), so two uploads can be made to overlap, and to finish, in a chosen order.
/// </summary>
public sealed class GatedStream(byte fill, int length) : Stream
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    public byte Fill { get; } = fill;
    public Task Started => _started.Task;

    public void Release() => _released.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _started.TrySetResult();
        var half = length / 2;
        if (_position == half)
        {
            await _released.Task.WaitAsync(cancellationToken);
        }
        var end = _position < half ? half : length;
        var count = Math.Min(buffer.Length, end - _position);
        buffer.Span[..count].Fill(Fill);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
