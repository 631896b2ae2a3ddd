using FuncTrace.Domain.Errors;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// The LLM endpoint failed after the client's retries: 502 <c>UPSTREAM_ERROR</c>, or 504 <c>UPSTREAM_TIMEOUT</c>.
/// <see cref="Reason"/> and <see cref="UpstreamStatus"/> are also in the details, so callers can act on them.
/// </summary>
public sealed class LlmUpstreamException(ErrorCode code, string reason, int? upstreamStatus, string? upstreamMessage, Exception? inner)
    : FuncTraceException(code, $"The LLM endpoint failed: {reason}.", Describe(reason, upstreamStatus, upstreamMessage), inner)
{
    public string Reason { get; } = reason;

    /// <summary>The endpoint's HTTP status; null when it never answered (timeout, connection refused).</summary>
    public int? UpstreamStatus { get; } = upstreamStatus;

    public bool IsRateLimited => UpstreamStatus == 429;

    private static Dictionary<string, object?> Describe(string reason, int? upstreamStatus, string? upstreamMessage)
    {
        var details = new Dictionary<string, object?> { ["reason"] = reason };
        if (upstreamStatus is not null)
        {
            details["upstream_status"] = upstreamStatus;
        }
        if (!string.IsNullOrWhiteSpace(upstreamMessage))
        {
            details["upstream_message"] = upstreamMessage;
        }
        return details;
    }
}
