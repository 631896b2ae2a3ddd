using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Domain.Usage;
using FuncTrace.Functions.Chat;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Agents;

/// <summary>One run of an agent: its reply, what it cost, and the <c>llm_prompt</c> event that records it.</summary>
public sealed record AgentRun(
    string AgentId,
    string Response,
    string? Model,
    LlmUsage? Usage,
    double? Cost,
    string? FinishReason,
    IReadOnlyList<LlmToolCall> ToolCalls,
    string EventId,
    string ConversationId,
    bool Replayed);

/// <summary>
/// Runs an agent (an engine) on one prompt: its system prompt, model, settings and tools, with <c>overrides</c> over the
/// settings. The call is recorded as an <c>llm_prompt</c> event — in the session given, else the agent's own session,
/// else a conversation named by the agent's id — so it counts in usage and shows in traces. With an id, a replay is
/// answered from that event without calling the model again.
/// </summary>
public sealed class AgentRunner(
    AgentService agents,
    LlmService llm,
    EventService events,
    EventReader reader,
    SessionService sessions,
    ModelPrices prices,
    IOptions<ChatOptions> options)
{
    public const string EventType = "llm_prompt";

    public async Task<AgentRun> RunAsync(string tenant, string agentId, string? prompt, LlmParameters? overrides,
        string? sessionId = null, string? id = null, CancellationToken cancellationToken = default)
    {
        var text = Domain.Validation.Required(prompt, "prompt", options.Value.MaxMessageLength);
        if (id is not null)
        {
            Domain.Validation.KeySafe(id, "id", EventValidation.MaxIdLength);
        }
        var agent = await agents.RequireReadyAsync(tenant, agentId, cancellationToken);
        var session = sessionId ?? agent.Definition.SessionId;
        var conversation = session ?? agent.Id;
        if (id is not null && await reader.GetAsync(tenant, id, cancellationToken) is { } stored)
        {
            return stored.Record.ConversationId == conversation && stored.Record.EventType == EventType
                ? Replay(agent.Id, stored.Record)
                : throw FuncTraceException.Conflict($"Id '{id}' names another event; choose another.");
        }
        if (session is not null)
        {
            await sessions.RequireRowAsync(tenant, session, cancellationToken);
        }

        var call = agent.CallOptions(overrides);
        var system = agent.Definition.SystemPrompt ?? options.Value.DefaultSystemPrompt;
        var answer = await llm.AnswerAsync(system, [new LlmMessage("user", text)], call, cancellationToken: cancellationToken);
        var model = answer.Model ?? call.Model ?? llm.Options.Model;
        var item = new NewEvent(id, conversation, EventType, null, Data(agent.Id, system, text, call.Parameters!, answer), null, "assistant", model,
            answer.Usage is { } usage ? new EventUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens) : null);
        var (record, _) = session is null
            ? await events.CreateAsync(tenant, item, cancellationToken)
            : await sessions.AddEventAsync(tenant, session, item, cancellationToken);
        return new AgentRun(agent.Id, answer.Text, model, answer.Usage, Cost(model, answer.Usage), answer.FinishReason, answer.ToolCalls ?? [], record.Id, conversation, Replayed: false);
    }

    private static JsonElement Data(string agentId, string system, string prompt, LlmParameters parameters, LlmAnswer answer) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, object?>
        {
            ["agent_id"] = agentId,
            ["system"] = system,
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = prompt } },
            ["parameters"] = AgentJson.Parameters(parameters),
            ["response"] = answer.Text,
            ["finish_reason"] = answer.FinishReason,
            ["tool_calls"] = (answer.ToolCalls ?? []).Select(ToolCallJson.From).ToList(),
        }, JsonBody.SnakeCase);

    private AgentRun Replay(string agentId, EventRecord record)
    {
        var usage = record.Usage is { } u ? new LlmUsage(u.PromptTokens ?? 0, u.CompletionTokens ?? 0, u.Total) : null;
        return new AgentRun(agentId, String(record.Data, "response") ?? string.Empty, record.Model, usage, Cost(record.Model, usage),
            String(record.Data, "finish_reason"), ToolCallJson.Read(record.Data), record.Id, record.ConversationId, Replayed: true);
    }

    private double? Cost(string? model, LlmUsage? usage) => usage is null ? null : prices.Cost(model, usage.PromptTokens, usage.CompletionTokens);

    private static string? String(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
