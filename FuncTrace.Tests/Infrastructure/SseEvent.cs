using System.Text.Json;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>One Server-Sent Event of a response body: its <c>id:</c>, <c>event:</c> and JSON <c>data:</c>.</summary>
public sealed record SseEvent(string? Id, string? Event, JsonElement Data)
{
    public static IReadOnlyList<SseEvent> Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var events = new List<SseEvent>();
        foreach (var block in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? id = null, name = null, data = null;
            foreach (var line in block.Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (field, value) = colon < 0 ? (line, string.Empty) : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "id": id = value; break;
                    case "event": name = value; break;
                    case "data": data = data is null ? value : data + "\n" + value; break;
                }
            }
            if (data is not null)
            {
                using var json = JsonDocument.Parse(data);
                events.Add(new SseEvent(id, name, json.RootElement.Clone()));
            }
        }
        return events;
    }
}
