using FuncTrace.Domain.Llm;

namespace FuncTrace.Tests.Llm;

public sealed class JudgeOutputParserTests
{
    [Theory]
    [InlineData("""{"score": 7, "reasoning": "Clear and correct."}""", 7, "Clear and correct.")]
    [InlineData("""{"Score": 3, "Reasoning": "Wrong answer."}""", 3, "Wrong answer.")]
    [InlineData("""{"score": "7", "reasoning": "As a string."}""", 7, "As a string.")]
    [InlineData("""{"score": "8/10", "reasoning": "A fraction."}""", 8, "A fraction.")]
    [InlineData("""{"score": 7.6, "reasoning": "Rounded up."}""", 8, "Rounded up.")]
    [InlineData("""{"score": 7.4, "reasoning": "Rounded down."}""", 7, "Rounded down.")]
    [InlineData("""{"score": 6.5, "reasoning": "Half rounds away from zero."}""", 7, "Half rounds away from zero.")]
    [InlineData("""{"score": 9}""", 9, "")]
    public void AJsonAnswerIsRead(string output, int score, string reasoning)
    {
        Assert.Equal(new JudgeScore(score, reasoning), JudgeOutputParser.Parse(output));
    }

    [Fact]
    public void JsonInsideAFenceIsRead()
    {
        var output = """
            Here is my evaluation:
            ```json
            {"score": 6, "reasoning": "Mostly right."}
            ```
            """;

        Assert.Equal(new JudgeScore(6, "Mostly right."), JudgeOutputParser.Parse(output));
    }

    [Fact]
    public void JsonSurroundedByProseIsRead()
    {
        var output = """Sure! {"score": 4, "reasoning": "Misses the point."} Let me know if you need more.""";

        Assert.Equal(new JudgeScore(4, "Misses the point."), JudgeOutputParser.Parse(output));
    }

    [Theory]
    [InlineData("Score: 8/10. The answer is accurate but long.", 8)]
    [InlineData("**Score:** 5\nThe tone is off.", 5)]
    [InlineData("The score is 9 because it is excellent.", 9)]
    [InlineData("I would rate this 6 out of 10.", 6)]
    [InlineData("Overall: 7/10", 7)]
    public void APlainTextScoreIsRead(string output, int score)
    {
        var parsed = JudgeOutputParser.Parse(output);

        Assert.Equal(score, parsed.Score);
        Assert.Equal(output, parsed.Reasoning);
    }

    [Theory]
    [InlineData("""{"score": 0, "reasoning": "r"}""", 1)]
    [InlineData("""{"score": -4, "reasoning": "r"}""", 1)]
    [InlineData("""{"score": 15, "reasoning": "r"}""", 10)]
    [InlineData("""{"score": 1e300, "reasoning": "r"}""", 10)]
    [InlineData("Score: 12", 10)]
    public void AScoreOutsideOneToTenIsClamped(string output, int score)
    {
        Assert.Equal(score, JudgeOutputParser.Parse(output).Score);
    }

    [Theory]
    [InlineData("")]
    [InlineData("I cannot evaluate this text.")]
    [InlineData("""{"reasoning": "No score given."}""")]
    [InlineData("""{"score": "high", "reasoning": "A word."}""")]
    [InlineData("""{"score": null}""")]
    [InlineData("```json\n{\"score\": \n```")]
    public void AnAnswerWithoutAScoreThrowsJudgeOutputException(string output)
    {
        var error = Assert.Throws<JudgeOutputException>(() => JudgeOutputParser.Parse(output));

        Assert.Equal(output.Trim(), error.RawOutput);
        Assert.Equal("unparseable judge output", error.Details!["reason"]);
    }
}
