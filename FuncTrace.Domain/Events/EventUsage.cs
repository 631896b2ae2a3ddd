namespace FuncTrace.Domain.Events;

/// <summary>Token usage of one model call.</summary>
public sealed record EventUsage(long? PromptTokens, long? CompletionTokens, long? TotalTokens)
{
    /// <summary>The total the client reported, or the sum of the parts when it reported none.</summary>
    public long Total => TotalTokens ?? (PromptTokens ?? 0) + (CompletionTokens ?? 0);
}
