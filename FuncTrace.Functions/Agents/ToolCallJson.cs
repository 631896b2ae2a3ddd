using System.Text.Json;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Functions.Agents;

/// <summary>A function call the model asked for, as stored in an event's data and shown in responses.</summary>
public sealed record ToolCallJson(string Id, string Name, string Arguments)
{
    public static ToolCallJson From(LlmToolCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new(call.Id, call.Name, call.Arguments);
    }

    /// <summary>The calls under <c>tool_calls</c> of stored data; none when it has none.</summary>
    public static IReadOnlyList<LlmToolCall> Read(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array
            ? calls.EnumerateArray()
                .Where(call => call.ValueKind == JsonValueKind.Object)
                .Select(call => new LlmToolCall(Text(call, "id"), Text(call, "name"), Text(call, "arguments")))
                .ToList()
            : [];

    private static string Text(JsonElement call, string name) =>
        call.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
