using System.Text.Json;

namespace FuncTrace.FakeOpenAi;

/// <summary>A chat completion request as <see cref="FakeOpenAiServer"/> received it.</summary>
public sealed record FakeRequest(JsonElement Body, string? Authorization)
{
    public string? Model => Body.GetProperty("model").GetString();

    public bool Stream => Body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;

    /// <summary>(role, text) of each message; content sent as parts is joined.</summary>
    public IReadOnlyList<(string Role, string Content)> Messages =>
        Body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, TextOf(m.GetProperty("content")))).ToList();

    /// <summary>Whether the request asked for usage in a last chunk of its stream (<c>stream_options.include_usage</c>).</summary>
    public bool IncludeUsage => Body.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
        && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;

    /// <summary>A top-level property of the request (<c>temperature</c>, <c>tools</c>, ...), or null when it was not sent.</summary>
    public JsonElement? Property(string name) => Body.TryGetProperty(name, out var value) ? value : null;

    public JsonElement? ResponseFormat => Body.TryGetProperty("response_format", out var format) ? format : null;

    private static string TextOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()));
}
