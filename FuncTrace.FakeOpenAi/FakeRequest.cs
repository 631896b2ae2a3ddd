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

    public JsonElement? ResponseFormat => Body.TryGetProperty("response_format", out var format) ? format : null;

    private static string TextOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()));
}
