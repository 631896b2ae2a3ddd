namespace FuncTrace.Domain.Llm;

/// <summary>
/// The <c>FuncTrace:Llm</c> section (environment: <c>FuncTrace__Llm__Endpoint</c>, <c>__Model</c>, <c>__ApiKey</c>, ...):
/// any OpenAI-compatible chat endpoint — Azure OpenAI's <c>/openai/v1/</c>, OpenAI, Ollama, vLLM.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "FuncTrace:Llm";

    /// <summary>The base URL the client appends <c>chat/completions</c> to, e.g. <c>https://x.openai.azure.com/openai/v1/</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model, or the deployment name on Azure OpenAI.</summary>
    public string? Model { get; set; }

    /// <summary>Optional: without it Azure endpoints use Entra ID and others a placeholder key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Per network operation (sending, and each read of a stream).</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Retries of 408, 429, 5xx and network failures, honouring Retry-After.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The most LLM calls the judge has in flight at once.</summary>
    public int MaxConcurrency { get; set; } = 8;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) && !string.IsNullOrWhiteSpace(Model);
}
