namespace FuncTrace.Tests.Artifacts;

/// <summary>A body whose length the client cannot know in advance, so it goes out chunked.</summary>
public sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
{
    public override bool CanSeek => false;
}
