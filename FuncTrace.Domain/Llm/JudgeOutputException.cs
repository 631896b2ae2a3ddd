using FuncTrace.Domain.Errors;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// The model answered, but nothing in the answer is a score. Distinct from <see cref="LlmUpstreamException"/>
/// so a worker can retry the item (models are not deterministic) and record it as failed in the end.
/// </summary>
public sealed class JudgeOutputException(string rawOutput)
    : FuncTraceException(
        ErrorCode.UpstreamError,
        "The judge's answer holds no score from 1 to 10.",
        new Dictionary<string, object?> { ["reason"] = "unparseable judge output", ["output"] = Excerpt(rawOutput) })
{
    private const int MaxExcerptLength = 500;

    public string RawOutput { get; } = rawOutput;

    private static string Excerpt(string output) => output.Length <= MaxExcerptLength ? output : output[..MaxExcerptLength] + "...";
}
