using System.Text.Json;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>What the score queue carries: one test of one job.</summary>
public sealed record ScoreMessage(string JobId, long TestId)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The message, or null when <paramref name="text"/> is not one (it can never succeed, so it is dropped).</summary>
    public static ScoreMessage? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<ScoreMessage>(text, Json) is { JobId: not null, TestId: > 0 } message ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What the creation-check queue carries: a job to look at once its creator has had time to queue it.</summary>
public sealed record CreationCheckMessage(string JobId)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CreationCheckMessage? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<CreationCheckMessage>(text, Json) is { JobId: not null } message ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
