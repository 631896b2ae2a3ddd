namespace FuncTrace.Domain.Llm;

/// <summary>Sampling settings of one call; null leaves the endpoint's default.</summary>
public sealed record LlmParameters(
    double? Temperature = null,
    double? TopP = null,
    int? MaxTokens = null,
    IReadOnlyList<string>? Stop = null,
    double? PresencePenalty = null,
    double? FrequencyPenalty = null)
{
    /// <summary>These settings with every value <paramref name="overrides"/> sets put over them.</summary>
    public LlmParameters With(LlmParameters? overrides) => overrides is null ? this : new(
        overrides.Temperature ?? Temperature,
        overrides.TopP ?? TopP,
        overrides.MaxTokens ?? MaxTokens,
        overrides.Stop ?? Stop,
        overrides.PresencePenalty ?? PresencePenalty,
        overrides.FrequencyPenalty ?? FrequencyPenalty);
}

/// <summary>A function the model may ask the caller to run: a declaration only, with its JSON-schema parameters.</summary>
public sealed record LlmTool(string Name, string? Description, string? ParametersJson);

/// <summary>A function call the model asked for, with its arguments as the JSON text it wrote.</summary>
public sealed record LlmToolCall(string Id, string Name, string Arguments);

/// <summary>What a call asks beyond its messages: a model other than the configured one, sampling settings, tools.</summary>
public sealed record LlmCallOptions(string? Model = null, LlmParameters? Parameters = null, IReadOnlyList<LlmTool>? Tools = null)
{
    public static LlmCallOptions Default { get; } = new();
}
