using System.Text.Json;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>One Server-Sent Event as it arrived, with the wall-clock time the client read it.</summary>
public sealed record ReceivedEvent(string? Id, JsonElement Data, DateTimeOffset ReceivedAt);

/// <summary>Reads a <c>text/event-stream</c> response event by event, stamping each with the time it was read.</summary>
public static class SseClient
{
    public static async IAsyncEnumerable<ReceivedEvent> ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        string? id = null;
        string? data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    using var json = JsonDocument.Parse(data);
                    yield return new ReceivedEvent(id, json.RootElement.Clone(), DateTimeOffset.UtcNow);
                }
                (id, data) = (null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }
    }
}
