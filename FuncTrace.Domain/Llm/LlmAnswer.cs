namespace FuncTrace.Domain.Llm;

/// <summary>Tokens one model call used, as the endpoint reported them.</summary>
public sealed record LlmUsage(long PromptTokens, long CompletionTokens, long TotalTokens);

/// <summary>
/// A model's answer and what it cost: why it stopped (<c>stop</c>, <c>length</c>, <c>tool_calls</c>,
/// <c>content_filter</c>), the functions it asked for, and the model the endpoint says answered.
/// </summary>
public sealed record LlmAnswer(string Text, LlmUsage? Usage, string? FinishReason = null, IReadOnlyList<LlmToolCall>? ToolCalls = null, string? Model = null);
