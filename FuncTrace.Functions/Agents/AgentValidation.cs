using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Agents;

/// <summary>
/// Reads and checks an agent's fields from JSON, so every mistake is a 400 naming the field (<c>parameters.temperature</c>,
/// <c>tools[1].name</c>) before anything is stored or sent to the model.
/// </summary>
public static partial class AgentValidation
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxSystemPromptLength = 32_000;
    public const int MaxModelLength = 200;
    public const int MaxTools = 128;
    public const int MaxToolDescriptionLength = 1024;

    /// <summary>A table string holds 32 K UTF-16 characters: the tools' JSON stays below it.</summary>
    public const int MaxToolsJsonLength = 30_000;

    public const int MaxStopSequences = 4;
    public const int MaxStopLength = 200;
    public const int MaxTokensLimit = 1_000_000;

    /// <summary>The sampling settings <c>parameters</c> (and an engine's <c>configuration</c>) may hold.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = ["temperature", "top_p", "max_tokens", "stop", "presence_penalty", "frequency_penalty"];

    public static string Name(JsonElement? value, string field = "name") =>
        Text(value, field, MaxNameLength) ?? throw FuncTraceException.Validation($"'{field}' is required.", field);

    /// <summary>An optional text: null when absent or null; a 400 when it is not a string or is too long.</summary>
    public static string? Text(JsonElement? value, string field, int maxLength)
    {
        if (value is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } present)
        {
            return null;
        }
        if (present.ValueKind != JsonValueKind.String)
        {
            throw FuncTraceException.Validation($"'{field}' must be a string.", field);
        }
        var text = present.GetString()!;
        if (text.Length > maxLength)
        {
            throw FuncTraceException.Validation($"'{field}' is longer than {maxLength} characters.", field);
        }
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    /// <summary>A model name: any the endpoint knows (unknown ones are priced as unknown), without control characters.</summary>
    public static string? Model(JsonElement? value, string field = "model")
    {
        var model = Text(value, field, MaxModelLength);
        if (model is not null && model.Any(char.IsControl))
        {
            throw FuncTraceException.Validation($"'{field}' may not contain control characters.", field);
        }
        return model?.Trim();
    }

    /// <summary>An id that names a record (agent, session): what the table keys accept.</summary>
    public static string? Id(JsonElement? value, string field)
    {
        var id = Text(value, field, EventValidation.MaxIdLength);
        return id is null ? null : Domain.Validation.KeySafe(id, field, EventValidation.MaxIdLength);
    }

    /// <summary>The sampling settings of a JSON object; an unknown name is refused with the known ones listed.</summary>
    public static LlmParameters Parameters(JsonElement? value, string field = "parameters")
    {
        if (value is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } present)
        {
            return new LlmParameters();
        }
        if (present.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation($"'{field}' must be an object.", field);
        }
        foreach (var property in present.EnumerateObject())
        {
            if (!ParameterNames.Contains(property.Name))
            {
                throw Unknown($"{field}.{property.Name}", ParameterNames);
            }
        }
        return ParametersOf(present, field);
    }

    /// <summary>The sampling settings among other fields of <paramref name="element"/> (an engine's configuration).</summary>
    public static LlmParameters ParametersOf(JsonElement element, string field) => new(
        Number(element, "temperature", field, 0, 2),
        Number(element, "top_p", field, 0, 1),
        Integer(element, "max_tokens", field, 1, MaxTokensLimit),
        Stop(element, field),
        Number(element, "presence_penalty", field, -2, 2),
        Number(element, "frequency_penalty", field, -2, 2));

    /// <summary>
    /// <paramref name="current"/> with a JSON merge patch (RFC 7386) applied: a name set to null is removed, others replace
    /// their value, names left out are kept.
    /// </summary>
    public static LlmParameters Merge(LlmParameters current, JsonElement? patch, string field = "parameters")
    {
        ArgumentNullException.ThrowIfNull(current);
        if (patch is not { ValueKind: not JsonValueKind.Undefined } present)
        {
            return current;
        }
        if (present.ValueKind == JsonValueKind.Null)
        {
            return new LlmParameters();
        }
        if (present.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation($"'{field}' must be an object.", field);
        }
        var merged = JsonSerializer.SerializeToElement(AgentJson.Parameters(current))
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        foreach (var property in present.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                merged.Remove(property.Name);
            }
            else
            {
                merged[property.Name] = property.Value;
            }
        }
        return Parameters(JsonSerializer.SerializeToElement(merged), field);
    }

    /// <summary>Tool declarations: a name the model can call, a description, and a JSON-schema object of parameters.</summary>
    public static IReadOnlyList<LlmTool> Tools(JsonElement? value, string field = "tools")
    {
        if (value is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } present)
        {
            return [];
        }
        if (present.ValueKind != JsonValueKind.Array)
        {
            throw FuncTraceException.Validation($"'{field}' must be an array of tools.", field);
        }
        if (present.GetArrayLength() > MaxTools)
        {
            throw FuncTraceException.Validation($"'{field}' holds more than {MaxTools} tools.", field);
        }
        var tools = new List<LlmTool>();
        var index = 0;
        foreach (var item in present.EnumerateArray())
        {
            var at = $"{field}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw FuncTraceException.Validation($"'{at}' must be an object with 'name', 'description' and 'parameters'.", at);
            }
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name is not ("name" or "description" or "parameters"))
                {
                    throw Unknown($"{at}.{property.Name}", ["name", "description", "parameters"]);
                }
            }
            var name = Text(Property(item, "name"), $"{at}.name", 64);
            if (name is null || !ToolName().IsMatch(name))
            {
                throw FuncTraceException.Validation($"'{at}.name' must be 1 to 64 letters, digits, '_' or '-'.", $"{at}.name");
            }
            if (tools.Any(tool => tool.Name == name))
            {
                throw FuncTraceException.Validation($"'{at}.name' repeats the tool name '{name}'.", $"{at}.name");
            }
            var description = Text(Property(item, "description"), $"{at}.description", MaxToolDescriptionLength);
            string? schema = null;
            if (Property(item, "parameters") is { ValueKind: not JsonValueKind.Null } parameters)
            {
                if (parameters.ValueKind != JsonValueKind.Object)
                {
                    throw FuncTraceException.Validation($"'{at}.parameters' must be a JSON-schema object.", $"{at}.parameters");
                }
                schema = EventRows.CompactJson(parameters);
            }
            tools.Add(new LlmTool(name, description, schema));
        }
        if (AgentJson.ToolsText(tools).Length > MaxToolsJsonLength)
        {
            throw FuncTraceException.Validation($"'{field}' is larger than {MaxToolsJsonLength} characters of JSON.", field);
        }
        return tools;
    }

    public static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    public static FuncTraceException Unknown(string field, IEnumerable<string> known) => new(
        ErrorCode.ValidationError,
        $"'{field}' is not a known field; use {string.Join(", ", known)}.",
        new Dictionary<string, object?> { ["field"] = field, ["known"] = known.ToList() });

    private static double? Number(JsonElement element, string name, string field, double min, double max)
    {
        if (Property(element, name) is not { ValueKind: not JsonValueKind.Null } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            throw FuncTraceException.Validation(
                $"'{field}.{name}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.", $"{field}.{name}");
        }
        return number;
    }

    private static int? Integer(JsonElement element, string name, string field, int min, int max)
    {
        if (Property(element, name) is not { ValueKind: not JsonValueKind.Null } value)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
        {
            throw FuncTraceException.Validation($"'{field}.{name}' must be an integer from {min} to {max}.", $"{field}.{name}");
        }
        return number;
    }

    /// <summary>One stop sequence or up to <see cref="MaxStopSequences"/> of them.</summary>
    private static IReadOnlyList<string>? Stop(JsonElement element, string field)
    {
        if (Property(element, "stop") is not { ValueKind: not JsonValueKind.Null } value)
        {
            return null;
        }
        var items = value.ValueKind switch
        {
            JsonValueKind.String => [value],
            JsonValueKind.Array => value.EnumerateArray().ToList(),
            _ => throw FuncTraceException.Validation($"'{field}.stop' must be a string or an array of strings.", $"{field}.stop"),
        };
        if (items.Count > MaxStopSequences
            || items.Any(item => item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= MaxStopLength }))
        {
            throw FuncTraceException.Validation(
                $"'{field}.stop' must be up to {MaxStopSequences} strings of 1 to {MaxStopLength} characters.", $"{field}.stop");
        }
        return items.Select(item => item.GetString()!).ToList();
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ToolName();
}
