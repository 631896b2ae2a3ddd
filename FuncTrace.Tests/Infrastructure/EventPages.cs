using System.Net;
using System.Text.Json;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>Reading pages of events (and the review queue) the way a client does.</summary>
public static class EventPages
{
    /// <summary>Deep enough for any event the service accepts, inside the response's own envelope.</summary>
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 256 };

    /// <summary>GETs <paramref name="path"/>, asserting 200, and returns the body.</summary>
    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: expected 200 but got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body, Deep);
        return json.RootElement.Clone();
    }

    public static List<string> Ids(JsonElement page) =>
        page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();

    public static string? Cursor(JsonElement page) => page.GetProperty("next_cursor").GetString();

    /// <summary>Every event of a listing, following its cursor to the end (a page may be short, or empty, while it is set).</summary>
    public static async Task<List<JsonElement>> AllAsync(HttpClient client, string path, int maxPages = 10_000)
    {
        var events = new List<JsonElement>();
        string? cursor = null;
        for (var page = 0; page < maxPages; page++)
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            var body = await GetAsync(client, cursor is null ? path : $"{path}{separator}cursor={cursor}");
            events.AddRange(body.GetProperty("events").EnumerateArray());
            cursor = Cursor(body);
            if (cursor is null)
            {
                return events;
            }
        }
        throw new InvalidOperationException($"{path} did not end within {maxPages} pages.");
    }
}
