using System.Text.Json;

namespace FuncTrace.Functions.Agents;

// The bodies of the agent and engine routes as the OpenAPI document shows them. The handlers read them field by field
// (AgentValidation), so that a PATCH can tell a field sent as null from one left out and each mistake names its field.

/// <summary>The body of <c>POST api/agents</c> (<c>name</c> required) and of <c>PATCH api/agents/{id}</c> (any of them).</summary>
public sealed record AgentRequest(
    string? Name,
    string? Description,
    string? SystemPrompt,
    string? Model,
    ParametersRequest? Parameters,
    IReadOnlyList<ToolRequest>? Tools);

/// <summary>Sampling settings; <c>stop</c> is one string or up to four.</summary>
public sealed record ParametersRequest(double? Temperature, double? TopP, int? MaxTokens, JsonElement? Stop, double? PresencePenalty, double? FrequencyPenalty);

/// <summary>A tool the model may ask the client to run: its name, what it does, its JSON-schema parameters.</summary>
public sealed record ToolRequest(string Name, string? Description, JsonElement? Parameters);

/// <summary>The body of <c>POST api/engines</c>.</summary>
public sealed record EngineRequest(string? EngineType, string? ModelName, string? SessionId, EngineConfigurationRequest? Configuration);

/// <summary>An engine's configuration: the agent's fields with the sampling settings flat beside them, as the engine spec has them.</summary>
public sealed record EngineConfigurationRequest(
    string? Name,
    string? Description,
    string? SystemPrompt,
    IReadOnlyList<ToolRequest>? Tools,
    double? Temperature,
    double? TopP,
    int? MaxTokens,
    JsonElement? Stop,
    double? PresencePenalty,
    double? FrequencyPenalty);

/// <summary>The body of <c>POST api/engines/{id}/execute</c>: the prompt, and settings over the engine's for this run.</summary>
public sealed record ExecuteRequest(string? Prompt, ParametersRequest? Parameters);
