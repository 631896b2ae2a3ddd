namespace FuncTrace.Domain.Llm;

/// <summary>One turn of a conversation sent to the model; <see cref="Role"/> is user, assistant or system.</summary>
public sealed record LlmMessage(string? Role, string? Content);
