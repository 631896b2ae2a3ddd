using System.Text.Json;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Domain.Prompts;

/// <summary>
/// Records a <c>/api/prompt</c> call that names a conversation as an <c>llm_prompt</c> event of it: the prompt,
/// the answer, the model and the token usage, so prompts show up in traces, conversations and usage.
/// </summary>
public sealed class PromptRecorder(EventService events, LlmOptions llm)
{
    public const string EventType = "llm_prompt";

    public async Task<EventRecord> RecordAsync(string tenant, string conversationId, string system, IReadOnlyList<LlmMessage?> messages, string response, LlmUsage? usage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var data = JsonSerializer.SerializeToElement(new
        {
            system,
            messages = messages.Select(m => new { role = m?.Role, content = m?.Content }),
            response,
        });
        var item = new NewEvent(
            null,
            conversationId,
            EventType,
            null,
            data,
            null,
            "assistant",
            llm.Model,
            usage is null ? null : new EventUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens));
        var (stored, _) = await events.CreateAsync(tenant, item, cancellationToken).ConfigureAwait(false);
        return stored;
    }
}
