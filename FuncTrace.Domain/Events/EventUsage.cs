namespace FuncTrace.Domain.Events;

/// <summary>Token usage of one model call.</summary>
public sealed record EventUsage(long? PromptTokens, long? CompletionTokens, long? TotalTokens);
