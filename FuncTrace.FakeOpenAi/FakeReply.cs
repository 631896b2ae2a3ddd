using System.Text.RegularExpressions;

namespace FuncTrace.FakeOpenAi;

/// <summary>
/// One scripted answer of <see cref="FakeOpenAiServer"/>: text (sent whole, or token by token when the request
/// streams), an OpenAI error with its status, a body that is not JSON, or a stream that breaks off.
/// </summary>
public sealed partial record FakeReply
{
    public int Status { get; init; } = 200;

    /// <summary>The answer in the pieces a stream sends; a non-streaming answer is their concatenation.</summary>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    public string Content => string.Concat(Tokens);

    /// <summary>Waited before answering, on top of the server's <see cref="FakeOpenAiServer.Latency"/>.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Answered only once this completes (a test holds a job mid-run, then lets it finish).</summary>
    public Task? Until { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ErrorType { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>Sent as the <c>Retry-After</c> header, in whole seconds.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Sent verbatim instead of the wire format.</summary>
    public string? RawBody { get; init; }

    /// <summary>A streamed answer sends its tokens, then a chunk that is not JSON, instead of <c>[DONE]</c>.</summary>
    public bool BreaksMidStream { get; init; }

    /// <summary>Waited before each token of a streamed answer, so a client can hang up half-way.</summary>
    public TimeSpan TokenDelay { get; init; }

    /// <summary>Function calls the answer asks for (<c>finish_reason</c> <c>tool_calls</c>).</summary>
    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

    /// <summary>Why the answer ended; <c>tool_calls</c> when it has some, else <c>stop</c>, unless set.</summary>
    public string? FinishReason { get; init; }

    public string EffectiveFinishReason => FinishReason ?? (ToolCalls.Count > 0 ? "tool_calls" : "stop");

    /// <summary>Text split after each space, so a stream has several tokens.</summary>
    public static FakeReply Text(string content) => new() { Tokens = WordPattern().Matches(content).Select(m => m.Value).Where(token => token.Length > 0).ToList() };

    public static FakeReply Stream(params string[] tokens) => new() { Tokens = tokens };

    public static FakeReply Error(int status, string message, string type = "server_error", string? code = null) =>
        new() { Status = status, ErrorMessage = message, ErrorType = type, ErrorCode = code };

    public static FakeReply RateLimited(int retryAfterSeconds = 1) =>
        Error(429, "Rate limit reached for requests.", "requests", "rate_limit_exceeded") with { RetryAfterSeconds = retryAfterSeconds };

    public static FakeReply Malformed(string body = "{\"id\": \"chatcmpl-broken\", \"choices\": [") => new() { RawBody = body };

    /// <summary>An answer that asks for one function call, with its arguments as JSON text.</summary>
    public static FakeReply ToolCall(string name, string arguments, string id = "call_1") => new() { ToolCalls = [new FakeToolCall(id, name, arguments)] };

    public static FakeReply StreamThenBreak(params string[] tokens) => Stream(tokens) with { BreaksMidStream = true };

    [GeneratedRegex(@"\S*\s*")]
    private static partial Regex WordPattern();
}

/// <summary>One function call of a <see cref="FakeReply"/>.</summary>
public sealed record FakeToolCall(string Id, string Name, string Arguments);
