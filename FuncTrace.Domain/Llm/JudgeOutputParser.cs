using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncTrace.Domain.Llm;

/// <summary>
/// Reads a score out of what a model actually returns, not only what it was asked for: the JSON object itself,
/// JSON in a ```json fence or among prose, a score as a string ("7") or a fraction (7.6, rounded), and plain
/// text such as "Score: 8/10". The score is clamped to 1..10. Nothing usable throws <see cref="JudgeOutputException"/>.
/// </summary>
public static partial class JudgeOutputParser
{
    public const int MinScore = 1;
    public const int MaxScore = 10;

    public static JudgeScore Parse(string? output)
    {
        var text = output?.Trim() ?? string.Empty;
        var score = JsonCandidates(text).Select(FromJson).FirstOrDefault(found => found is not null)
            ?? FromPlainText(text)
            ?? throw new JudgeOutputException(text);
        return score with { Score = Math.Clamp(score.Score, MinScore, MaxScore) };
    }

    // Most specific first: the whole answer, then each fenced block, then the outermost braces.
    private static IEnumerable<string> JsonCandidates(string text)
    {
        yield return text;
        foreach (Match fence in FencePattern().Matches(text))
        {
            yield return fence.Groups["body"].Value;
        }
        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start >= 0 && end > start)
        {
            yield return text[start..(end + 1)];
        }
    }

    private static JudgeScore? FromJson(string candidate)
    {
        try
        {
            using var json = JsonDocument.Parse(candidate);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            var score = Property(json.RootElement, "score") is { } value ? ScoreOf(value) : null;
            if (score is null)
            {
                return null;
            }
            var reasoning = Property(json.RootElement, "reasoning") is { ValueKind: JsonValueKind.String } text ? text.GetString()! : string.Empty;
            return new JudgeScore(score.Value, reasoning.Trim());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? Property(JsonElement json, string name) =>
        json.EnumerateObject().Where(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static int? ScoreOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var number) => Round(number),
        JsonValueKind.String => NumberAtStart(value.GetString()!),
        _ => null,
    };

    private static int? NumberAtStart(string text)
    {
        var match = LeadingNumberPattern().Match(text);
        return match.Success ? Round(double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture)) : null;
    }

    private static JudgeScore? FromPlainText(string text)
    {
        var match = LabelledScorePattern().Match(text);
        if (!match.Success)
        {
            match = OutOfTenPattern().Match(text);
        }
        return match.Success
            ? new JudgeScore(Round(double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture)), text)
            : null;
    }

    // Bounded first so an absurd number cannot overflow the cast; the clamp to 1..10 comes after.
    private static int Round(double value) => (int)Math.Round(Math.Clamp(value, -1000, 1000), MidpointRounding.AwayFromZero);

    [GeneratedRegex(@"```(?:json)?\s*(?<body>.*?)```", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"^\s*(?<n>-?\d+(?:\.\d+)?)")]
    private static partial Regex LeadingNumberPattern();

    [GeneratedRegex(@"\bscore\b(?:\s+(?:is|of))?\W{0,6}(?<n>\d+(?:\.\d+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex LabelledScorePattern();

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)\s*(?:/|out of)\s*10\b", RegexOptions.IgnoreCase)]
    private static partial Regex OutOfTenPattern();
}
