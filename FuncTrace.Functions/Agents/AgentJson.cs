using System.Text.Json;
using System.Text.Json.Nodes;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Agents;

/// <summary>An agent's settings and tools as JSON: how rows store them and responses show them (snake_case, only what is set).</summary>
public static class AgentJson
{
    /// <summary>The settings that are set, by their API names.</summary>
    public static Dictionary<string, object> Parameters(LlmParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var set = new Dictionary<string, object>(StringComparer.Ordinal);
        Add(set, "temperature", parameters.Temperature);
        Add(set, "top_p", parameters.TopP);
        Add(set, "max_tokens", parameters.MaxTokens);
        Add(set, "stop", parameters.Stop);
        Add(set, "presence_penalty", parameters.PresencePenalty);
        Add(set, "frequency_penalty", parameters.FrequencyPenalty);
        return set;
    }

    public static string ParametersText(LlmParameters parameters) => JsonSerializer.Serialize(Parameters(parameters));

    public static LlmParameters ParseParameters(string? json) =>
        json is null ? new LlmParameters() : AgentValidation.Parameters(JsonBody.ParseStored(json), "parameters");

    public static string ToolsText(IReadOnlyList<LlmTool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var array = new JsonArray();
        foreach (var tool in tools)
        {
            var item = new JsonObject { ["name"] = tool.Name };
            if (tool.Description is not null)
            {
                item["description"] = tool.Description;
            }
            if (tool.ParametersJson is not null)
            {
                item["parameters"] = JsonNode.Parse(tool.ParametersJson, documentOptions: new JsonDocumentOptions { MaxDepth = JsonBody.MaxWriteDepth });
            }
            array.Add(item);
        }
        return array.ToJsonString(new JsonSerializerOptions { MaxDepth = JsonBody.MaxWriteDepth });
    }

    public static IReadOnlyList<LlmTool> ParseTools(string? json) =>
        json is null ? [] : AgentValidation.Tools(JsonBody.ParseStored(json), "tools");

    /// <summary>The tools as responses show them: each with its schema as JSON.</summary>
    public static IReadOnlyList<ToolResponse> ToolResponses(IReadOnlyList<LlmTool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        return tools.Select(t => new ToolResponse(t.Name, t.Description, t.ParametersJson is null ? null : JsonBody.ParseStored(t.ParametersJson))).ToList();
    }

    private static void Add(Dictionary<string, object> set, string name, object? value)
    {
        if (value is not null)
        {
            set[name] = value;
        }
    }
}

public sealed record ToolResponse(string Name, string? Description, JsonElement? Parameters);
