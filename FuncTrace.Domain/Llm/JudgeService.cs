using FuncTrace.Domain.Errors;
using OpenAI.Chat;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// LLM-as-judge: scores a text against a judging matrix from 1 to 10. It asks for structured output (a strict
/// JSON schema) and still parses leniently, because OpenAI-compatible servers differ in how well they honour it.
/// Calls share one <see cref="AdaptiveConcurrencyLimiter"/>, so a batch backs off when the endpoint throttles.
/// </summary>
public sealed class JudgeService(LlmService llm, AdaptiveConcurrencyLimiter limiter)
{
    // The range is stated in the description rather than as minimum/maximum, which some deployments reject
    // in strict mode; the parser clamps anyway.
    private static readonly ChatResponseFormat ScoreFormat = ChatResponseFormat.CreateJsonSchemaFormat(
        "judge_score",
        BinaryData.FromString("""
            {
              "type": "object",
              "properties": {
                "score": { "type": "integer", "description": "From 1 (worst) to 10 (best)." },
                "reasoning": { "type": "string", "description": "Why, in a few sentences." }
              },
              "required": ["score", "reasoning"],
              "additionalProperties": false
            }
            """),
        "A score from 1 to 10 with its reasoning.",
        jsonSchemaIsStrict: true);

    public async Task<JudgeScore> ScoreAsync(string? judgingMatrix, string? text, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(judgingMatrix))
        {
            throw FuncTraceException.Validation("'judgingMatrix' is required.", "judgingMatrix");
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            throw FuncTraceException.Validation("'text' is required.", "text");
        }

        string answer;
        using (var lease = await limiter.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                answer = await llm.CompleteAsync(SystemPrompt(judgingMatrix), [new LlmMessage("user", text)], ScoreFormat, cancellationToken).ConfigureAwait(false);
                lease.RecordSuccess();
            }
            catch (LlmUpstreamException ex) when (ex.IsRateLimited)
            {
                lease.RecordRateLimited();
                throw;
            }
        }
        return JudgeOutputParser.Parse(answer);
    }

    private static string SystemPrompt(string judgingMatrix) => $$"""
        You are a strict, consistent evaluator. Score the text the user sends against the judging matrix below,
        from 1 (worst) to 10 (best). Answer only with a JSON object: {"score": <integer 1-10>, "reasoning": "<a few sentences>"}.

        Judging matrix:
        {{judgingMatrix}}
        """;
}
