namespace FuncTrace.Domain.Llm;

/// <summary>How the chat client proves who it is to the endpoint.</summary>
public enum LlmAuthentication
{
    /// <summary><c>FuncTrace__Llm__ApiKey</c>, sent as a bearer key (Azure OpenAI's v1 endpoint accepts it too).</summary>
    ApiKey,

    /// <summary>An Entra ID token from <c>DefaultAzureCredential</c> (managed identity in Azure, az login locally).</summary>
    EntraId,

    /// <summary>A dummy key for local servers (Ollama, vLLM) that ignore it.</summary>
    Placeholder,
}
