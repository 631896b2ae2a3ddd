using Azure;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Functions.Agents;

/// <summary>
/// What an agent is made of: its name and description, the system prompt, model and sampling settings its calls use,
/// and the tools the model may ask the client to run (declarations only: FuncTrace never runs them). An engine is the
/// same record seen through the engine face, with its <see cref="EngineType"/> and <see cref="SessionId"/>.
/// </summary>
public sealed record AgentDefinition(
    string Name,
    string? Description,
    string? SystemPrompt,
    string? Model,
    LlmParameters Parameters,
    IReadOnlyList<LlmTool> Tools,
    string? EngineType = null,
    string? SessionId = null);

/// <summary>A stored agent: its definition, id, status (<c>ready</c> or <c>deleted</c>), times and row ETag.</summary>
public sealed record Agent(string Id, AgentDefinition Definition, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, ETag ETag)
{
    public const string Ready = "ready";
    public const string Deleted = "deleted";

    public bool IsDeleted => Status == Deleted;

    /// <summary>The options of a call with this agent's model, settings (with <paramref name="overrides"/> over them) and tools.</summary>
    public LlmCallOptions CallOptions(LlmParameters? overrides = null) =>
        new(Definition.Model, Definition.Parameters.With(overrides), Definition.Tools);
}

/// <summary>What a list of agents asks for: one status (default ready), optionally one session's engines.</summary>
public sealed record AgentQuery(string Status, string? SessionId, int Limit, string? Cursor);

public sealed record AgentPage(IReadOnlyList<Agent> Agents, string? NextCursor);
