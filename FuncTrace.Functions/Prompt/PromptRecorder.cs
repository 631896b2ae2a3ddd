using System.Text.Json;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Agents;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Prompt;

/// <summary>
/// Records a <c>POST api/prompt</c> call that names a conversation as an <c>llm_prompt</c> event of it: the prompt, the
/// answer, the model and the token usage, so prompts show up in traces, conversation summaries and usage.
/// </summary>
public sealed class PromptRecorder(EventService events, LlmOptions llm)
{
    public async Task<EventRecord> RecordAsync(string tenant, string conversationId, string system, IReadOnlyList<LlmMessage?> messages,
        string response, LlmUsage? usage, string? model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var data = JsonSerializer.SerializeToElement(new
        {
            system,
            messages = messages.Select(m => new { role = m?.Role, content = m?.Content }),
            response,
        }, JsonBody.SnakeCase);
        var item = new NewEvent(null, conversationId, AgentRunner.EventType, null, data, null, "assistant", model ?? llm.Model,
            usage is null ? null : new EventUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens));
        // Not the request's token: the answer was paid for, so it is recorded even if the client has gone.
        var (stored, _) = await events.CreateAsync(tenant, item, CancellationToken.None);
        return stored;
    }
}
