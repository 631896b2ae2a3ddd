using System.Text;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>One Server-Sent Events block: its comment lines, id and data (null when absent).</summary>
public sealed record SseMessage(IReadOnlyList<string> Comments, string? Id, string? Data);

/// <summary>Reads a text/event-stream response block by block, as an EventSource would.</summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next block (lines up to a blank line); fails the test if none arrives within <paramref name="timeout"/>.</summary>
    public async Task<SseMessage> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var comments = new List<string>();
        string? id = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.Length == 0)
            {
                return new SseMessage(comments, id, data.Count == 0 ? null : string.Join('\n', data));
            }
            if (line.StartsWith(':'))
            {
                comments.Add(line[1..].Trim());
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line[6..]);
            }
        }
    }

    /// <summary>The next block that carries data, skipping heartbeats.</summary>
    public async Task<SseMessage> NextEventAsync(TimeSpan timeout)
    {
        while (true)
        {
            var message = await NextAsync(timeout);
            if (message.Data is not null)
            {
                return message;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
