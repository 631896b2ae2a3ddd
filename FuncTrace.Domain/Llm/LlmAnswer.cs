namespace FuncTrace.Domain.Llm;

/// <summary>Tokens one model call used, as the endpoint reported them.</summary>
public sealed record LlmUsage(long PromptTokens, long CompletionTokens, long TotalTokens);

/// <summary>A model's answer and what it cost.</summary>
public sealed record LlmAnswer(string Text, LlmUsage? Usage);
