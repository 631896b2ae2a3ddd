using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request written by hand over a socket, for what no well-behaved client sends: a body that stops
/// arriving. Sends <paramref name="head"/> (headers) and <paramref name="body"/>, then stays silent with the connection
/// open and reads whatever the server answers.
/// </summary>
public static class RawHttp
{
    /// <summary>The status, the headers (lower-case names) and the body (de-chunked).</summary>
    public sealed record Answer(HttpStatusCode Status, IReadOnlyDictionary<string, string> Headers, string Body);

    public static async Task<Answer> SendThenStallAsync(Uri baseAddress, string method, string path, IReadOnlyList<string> headers, byte[] body, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        var head = $"{method} {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();

        using var timeout = new CancellationTokenSource(wait);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            while (!Complete(received.ToArray()))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No complete answer within {wait}; got: {Encoding.UTF8.GetString(received.ToArray())}");
        }
        catch (IOException)
        {
            // The server may reset the connection once it has answered; what arrived is the answer.
        }
        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    /// <summary>A chunk header and its data, as chunked transfer coding frames them.</summary>
    public static byte[] Chunk(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return [.. Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), .. data, .. "\r\n"u8];
    }

    /// <summary>Whether the whole answer is in: its Content-Length of body, or the last chunk of a chunked one.</summary>
    private static bool Complete(byte[] received)
    {
        var text = Encoding.UTF8.GetString(received);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var headers = text[..end].Split("\r\n");
        if (headers.Any(h => h.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
        {
            return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
        }
        var lengthLine = headers.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return lengthLine is not null && Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= int.Parse(lengthLine["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static Answer Parse(string response)
    {
        var statusLine = response.Split("\r\n", 2)[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var status))
        {
            throw new InvalidOperationException($"Not an HTTP answer: '{response}'");
        }
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = response[..end].Split("\r\n").Skip(1).Select(l => l.Split(':', 2))
            .ToDictionary(h => h[0].Trim().ToLowerInvariant(), h => h.Length > 1 ? h[1].Trim() : string.Empty);
        var chunked = headers.TryGetValue("transfer-encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        var body = response[(end + 4)..];
        return new Answer((HttpStatusCode)status, headers, chunked ? Dechunk(body) : body);
    }

    private static string Dechunk(string body)
    {
        var text = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = int.Parse(body[position..lineEnd], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return text.ToString();
            }
            text.Append(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
