using System.Text.Json;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Functions.Agents;

/// <summary>An agent as <c>api/agents</c> shows it.</summary>
public sealed record AgentResponse(
    string Id,
    string Name,
    string? Description,
    string? SystemPrompt,
    string? Model,
    IReadOnlyDictionary<string, object> Parameters,
    IReadOnlyList<ToolResponse> Tools,
    string? EngineType,
    string? SessionId,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static AgentResponse From(Agent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var d = agent.Definition;
        return new(agent.Id, d.Name, d.Description, d.SystemPrompt, d.Model, AgentJson.Parameters(d.Parameters), AgentJson.ToolResponses(d.Tools),
            d.EngineType, d.SessionId, agent.Status, agent.CreatedAt, agent.UpdatedAt);
    }
}

public sealed record AgentListResponse(IReadOnlyList<AgentResponse> Agents, string? NextCursor);

/// <summary>The same record as <c>api/engines</c> shows it: its settings flat in <c>configuration</c>, as the engine spec has them.</summary>
public sealed record EngineResponse(
    string EngineId,
    string EngineType,
    string? ModelName,
    string? SessionId,
    string Status,
    IReadOnlyDictionary<string, object?> Configuration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string DefaultType = "llm";

    public static EngineResponse From(Agent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var d = agent.Definition;
        var configuration = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = d.Name,
            ["description"] = d.Description,
            ["system_prompt"] = d.SystemPrompt,
            ["tools"] = AgentJson.ToolResponses(d.Tools),
        };
        foreach (var (name, value) in AgentJson.Parameters(d.Parameters))
        {
            configuration[name] = value;
        }
        return new(agent.Id, d.EngineType ?? DefaultType, d.Model, d.SessionId, agent.Status, configuration, agent.CreatedAt, agent.UpdatedAt);
    }
}

public sealed record EngineListResponse(IReadOnlyList<EngineResponse> Engines, string? NextCursor);

public sealed record TokenUsageResponse(long PromptTokens, long CompletionTokens, long TotalTokens)
{
    public static TokenUsageResponse? From(LlmUsage? usage) => usage is null ? null : new(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens);
}

/// <summary><c>POST api/engines/{id}/execute</c>: the model's reply, what it cost (null for a model without a price), and its event.</summary>
public sealed record ExecuteResponse(
    string EngineId,
    string Status,
    string Response,
    string? Model,
    TokenUsageResponse? Usage,
    double? CostUsd,
    string? FinishReason,
    IReadOnlyList<ToolCallJson> ToolCalls,
    string EventId,
    string ConversationId)
{
    public static ExecuteResponse From(AgentRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.AgentId, "completed", run.Response, run.Model, TokenUsageResponse.From(run.Usage), run.Cost, run.FinishReason,
            run.ToolCalls.Select(ToolCallJson.From).ToList(), run.EventId, run.ConversationId);
    }
}

/// <summary>Reads the fields of a request body, refusing names it does not know.</summary>
public sealed class RequestFields
{
    private readonly JsonElement _body;

    public RequestFields(JsonElement body, IReadOnlyList<string> known, string? prefix = null)
    {
        _body = body;
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw AgentValidation.Unknown(prefix is null ? property.Name : $"{prefix}.{property.Name}", known);
            }
        }
    }

    public bool Has(string name) => _body.TryGetProperty(name, out _);

    public JsonElement? this[string name] => _body.TryGetProperty(name, out var value) ? value : null;

    public JsonElement Body => _body;
}
