using System.Text.Json;
using FuncTrace.Domain.Events;

namespace FuncTrace.Domain.Conversations;

/// <summary>
/// What a conversation's summary reads from an event: whether it is a chat message, the user's words and the
/// assistant's. Events put text under different names, so the first string of a few common ones is taken.
/// </summary>
public static class MessageText
{
    private static readonly string[] TextFields = ["message", "content", "text", "prompt"];

    public static bool IsMessage(EventRecord record) => IsUser(record) || IsAssistant(record);

    /// <summary>The user's words: a user message's text, or the prompt an assistant trace carries with its response.</summary>
    public static string? UserText(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (IsUser(record))
        {
            return FirstString(record.Data, TextFields);
        }
        return IsAssistant(record) && FirstString(record.Data, ["response"]) is not null ? FirstString(record.Data, TextFields) : null;
    }

    public static string? AssistantText(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return IsAssistant(record) ? FirstString(record.Data, ["response", .. TextFields]) : null;
    }

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

    private static bool IsUser(EventRecord record) => record.Role == "user" || record.EventType == "user_message";

    private static bool IsAssistant(EventRecord record) => record.Role == "assistant" || record.EventType == "assistant_response";

    private static string? FirstString(JsonElement data, IEnumerable<string> names) => names
        .Select(name => data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        .FirstOrDefault(text => !string.IsNullOrWhiteSpace(text));
}
