using System.ClientModel;
using System.Text.Json;
using FuncTrace.Domain.Errors;

namespace FuncTrace.Domain.Llm;

/// <summary>What the LLM layer reports: missing settings (503) and failures of the endpoint (502/504), each with a reason.</summary>
public static class LlmErrors
{
    public static IReadOnlyList<string> RequiredSettings { get; } = ["FuncTrace__Llm__Endpoint", "FuncTrace__Llm__Model"];

    private const int MaxUpstreamMessageLength = 500;

    public static FuncTraceException NotConfigured() => new(
        ErrorCode.ServiceUnavailable,
        "The LLM is not configured: set FuncTrace__Llm__Endpoint and FuncTrace__Llm__Model, and FuncTrace__Llm__ApiKey unless the endpoint needs none (Azure OpenAI can use Entra ID).",
        new Dictionary<string, object?> { ["settings"] = RequiredSettings, ["optional_settings"] = new[] { "FuncTrace__Llm__ApiKey" } });

    public static FuncTraceException Misconfigured(string message) => new(
        ErrorCode.ServiceUnavailable, message, new Dictionary<string, object?> { ["settings"] = RequiredSettings });

    /// <summary>True for the ways the endpoint fails; the caller's own cancellation is not one of them.</summary>
    public static bool IsUpstreamFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => IsUpstreamFailure(inner, cancellationToken)),
        ClientResultException or TimeoutException or HttpRequestException or IOException or JsonException => true,
        _ => false,
    };

    /// <summary>Turns a failure <see cref="IsUpstreamFailure"/> accepted into the error the API reports.</summary>
    public static LlmUpstreamException FromFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        // The retry policy aggregates the failure of every try; the last one says how it ended.
        var last = exception is AggregateException aggregate ? aggregate.InnerExceptions[^1] : exception;
        return last switch
        {
            OperationCanceledException or TimeoutException => new(ErrorCode.UpstreamTimeout, "timeout", null, null, exception),
            ClientResultException { Status: 429 } result => Upstream("rate limited (429)", result, exception),
            ClientResultException { Status: 401 or 403 } result => Upstream($"refused ({result.Status})", result, exception),
            ClientResultException { Status: > 0 } result => Upstream($"model error (status {result.Status})", result, exception),
            JsonException => new(ErrorCode.UpstreamError, "unreadable response", null, null, exception),
            _ => new(ErrorCode.UpstreamError, "unreachable", null, last.Message, exception),
        };
    }

    private static LlmUpstreamException Upstream(string reason, ClientResultException result, Exception exception) =>
        new(ErrorCode.UpstreamError, reason, result.Status, UpstreamMessage(result), exception);

    // OpenAI-compatible servers answer {"error": {"message": ...}}; anything else is left out.
    private static string? UpstreamMessage(ClientResultException result)
    {
        try
        {
            var content = result.GetRawResponse()?.Content;
            if (content is null)
            {
                return null;
            }
            using var json = JsonDocument.Parse(content.ToMemory());
            var message = json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var text)
                && text.ValueKind == JsonValueKind.String
                    ? text.GetString()
                    : null;
            return message is { Length: > MaxUpstreamMessageLength } ? message[..MaxUpstreamMessageLength] : message;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
