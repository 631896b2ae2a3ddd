using System.Text.Json.Serialization;
using FuncTrace.Domain.Llm;

namespace FuncTrace.Functions.Prompt;

public sealed record PromptRequest(string? System, List<LlmMessage?>? Messages, string? ConversationId);

/// <summary>The answer, and the <c>llm_prompt</c> event that records it when the request named a conversation (else null).</summary>
public sealed record PromptResponse(string Response, string? EventId);

/// <summary>The stream's events: <c>token</c> deltas, then <c>done</c> with the whole answer, or <c>error</c>.</summary>
public sealed record PromptTokenEvent(string Content)
{
    [JsonPropertyOrder(-1)]
    public string Type => "token";
}

public sealed record PromptDoneEvent(string Response, string? EventId)
{
    [JsonPropertyOrder(-1)]
    public string Type => "done";
}

public sealed record PromptErrorEvent(string Error)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";
}
