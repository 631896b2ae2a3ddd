using System.Text.Json;

namespace FuncTrace.Functions.Events;

/// <summary>
/// What a conversation's summary reads from an event: whether it is a chat message, the user's words and the
/// assistant's. Events put text under different names, so the first string of a few common ones is taken.
/// </summary>
public static class MessageText
{
    public const int TitleLength = 100;
    public const int PreviewLength = 200;
    private static readonly string[] TextFields = ["message", "content", "text", "prompt"];

    public static bool IsMessage(string? role, string eventType) => IsUser(role, eventType) || IsAssistant(role, eventType);

    /// <summary>The user's words: a user message's text, or the prompt an assistant trace carries with its response.</summary>
    public static string? UserText(string? role, string eventType, JsonElement data)
    {
        if (IsUser(role, eventType))
        {
            return FirstString(data, TextFields);
        }
        return IsAssistant(role, eventType) && FirstString(data, ["response"]) is not null ? FirstString(data, TextFields) : null;
    }

    public static string? AssistantText(string? role, string eventType, JsonElement data) =>
        IsAssistant(role, eventType) ? FirstString(data, ["response", .. TextFields]) : null;

    /// <summary>At most <paramref name="length"/> characters, never ending inside a surrogate pair.</summary>
    public static string Truncate(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= length)
        {
            return text;
        }
        var cut = char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..cut];
    }

    private static bool IsUser(string? role, string eventType) => role == "user" || eventType == "user_message";

    private static bool IsAssistant(string? role, string eventType) => role == "assistant" || eventType == "assistant_response";

    private static string? FirstString(JsonElement data, IEnumerable<string> names) => names
        .Select(name => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        .FirstOrDefault(text => !string.IsNullOrWhiteSpace(text));
}
