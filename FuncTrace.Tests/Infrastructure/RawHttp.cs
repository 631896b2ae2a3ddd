using System.Net.Sockets;
using System.Text;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>An HTTP/1.1 answer read off the wire: status, headers (lower-case names) and body.</summary>
public sealed record RawAnswer(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// HTTP over a bare socket, for what HttpClient will not send: a request whose body stops arriving. Sends the head
/// and the first part of the body, then goes silent and waits for the server's answer.
/// </summary>
public static class RawHttp
{
    public static async Task<RawAnswer> SendAndStallAsync(Uri server, string head, string bodyPart, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head.ReplaceLineEndings("\r\n") + bodyPart));
        await stream.FlushAsync();

        using var wait = new CancellationTokenSource(timeout);
        using var received = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        try
        {
            while ((read = await stream.ReadAsync(buffer, wait.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (Complete(received.ToArray()) is { } answer)
                {
                    return answer;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No answer within {timeout.TotalSeconds} s to a request whose body stalled; got: {Encoding.UTF8.GetString(received.ToArray())}");
        }
        catch (IOException)
        {
            // The server closed the connection: what it sent before is the answer.
        }
        return Complete(received.ToArray(), closed: true)
            ?? throw new InvalidOperationException("The connection closed without an HTTP answer: " + Encoding.UTF8.GetString(received.ToArray()));
    }

    /// <summary>The answer once all of it has arrived (by Content-Length, the last chunk, or the connection closing).</summary>
    private static RawAnswer? Complete(byte[] bytes, bool closed = false)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var rest = text[(end + 4)..];
        if (headers.TryGetValue("content-length", out var length))
        {
            var expected = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            return Encoding.UTF8.GetByteCount(rest) >= expected ? new RawAnswer(status, headers, rest) : null;
        }
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return rest.Contains("\r\n0\r\n\r\n", StringComparison.Ordinal) || rest.StartsWith("0\r\n\r\n", StringComparison.Ordinal) || closed
                ? new RawAnswer(status, headers, Dechunk(rest))
                : null;
        }
        return closed ? new RawAnswer(status, headers, rest) : null;
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }
            var size = Convert.ToInt32(chunked[position..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }
            body.Append(chunked, lineEnd + 2, Math.Min(size, chunked.Length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }
        return body.ToString();
    }
}
