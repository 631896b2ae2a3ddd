using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.Core;
using Azure.Identity;
using OpenAI;
using OpenAI.Chat;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// Builds the one <see cref="OpenAIClient"/> the app uses (and its <see cref="ChatClient"/> per model). Its pipeline times out each network operation after
/// <see cref="LlmOptions.TimeoutSeconds"/> and retries 408/429/5xx and network failures up to
/// <see cref="LlmOptions.MaxRetries"/> times; System.ClientModel's <see cref="ClientRetryPolicy"/> waits
/// the longer of its exponential backoff and the response's <c>Retry-After</c>.
/// </summary>
public static class LlmClientFactory
{
    public const string AzureScope = "https://cognitiveservices.azure.com/.default";

    // Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the client insists on one.
    private const string PlaceholderKey = "functrace-no-key";

    private static readonly string[] AzureHostSuffixes = [".openai.azure.com", ".cognitiveservices.azure.com"];

    /// <param name="entraCredential">The credential for Azure endpoints without a key; <c>DefaultAzureCredential</c> when null.</param>
    public static ChatClient Create(LlmOptions options, TokenCredential? entraCredential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CreateOpenAIClient(options, entraCredential).GetChatClient(options.Model);
    }

    /// <summary>The client whose chat clients (one per model name, all sharing its pipeline) the app uses.</summary>
    public static OpenAIClient CreateOpenAIClient(LlmOptions options, TokenCredential? entraCredential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = EndpointOf(options),
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        };
        return AuthenticationOf(options) switch
        {
            LlmAuthentication.ApiKey => new OpenAIClient(new ApiKeyCredential(options.ApiKey!), clientOptions),
            LlmAuthentication.EntraId => EntraIdClient(entraCredential ?? new DefaultAzureCredential(), clientOptions),
            _ => new OpenAIClient(new ApiKeyCredential(PlaceholderKey), clientOptions),
        };
    }

    // The policy constructor is marked for evaluation (OPENAI001), yet it is how the OpenAI package and
    // Microsoft's Azure OpenAI v1 samples authenticate with a TokenCredential; the BearerTokenPolicy caches
    // and refreshes the token.
#pragma warning disable OPENAI001
    private static OpenAIClient EntraIdClient(TokenCredential credential, OpenAIClientOptions clientOptions) =>
        new(new BearerTokenPolicy(credential, AzureScope), clientOptions);
#pragma warning restore OPENAI001

    /// <summary>A key wins; without one, Azure OpenAI / AI Services hosts get an Entra ID token, anything else a placeholder.</summary>
    public static LlmAuthentication AuthenticationOf(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            return LlmAuthentication.ApiKey;
        }
        var host = Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) ? uri.Host : string.Empty;
        return AzureHostSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            ? LlmAuthentication.EntraId
            : LlmAuthentication.Placeholder;
    }

    // The client appends "chat/completions" to the endpoint's path, which must therefore end in a slash.
    private static Uri EndpointOf(LlmOptions options)
    {
        var endpoint = options.Endpoint!.Trim();
        if (!Uri.TryCreate(endpoint.EndsWith('/') ? endpoint : endpoint + "/", UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw LlmErrors.Misconfigured($"FuncTrace__Llm__Endpoint '{endpoint}' is not an absolute http(s) URL.");
        }
        return uri;
    }
}
