using System.Text.Json.Serialization;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>The n-th test finished (event id <c>n.1</c>).</summary>
public sealed record ProgressEvent(
    [property: JsonPropertyName("current")] long Current,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("currentTest")] long CurrentTest)
{
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "progress";
}

/// <summary>The n-th test's outcome (event id <c>n.2</c>).</summary>
public sealed record ResultEvent([property: JsonPropertyName("result")] BatchResult Result)
{
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "result";
}

/// <summary>Every outcome in the order of the tests, and the failed ones again (event id <c>complete</c>).</summary>
public sealed record CompleteEvent(
    [property: JsonPropertyName("results")] IReadOnlyList<BatchResult> Results,
    [property: JsonPropertyName("failed")] IReadOnlyList<BatchResult> Failed)
{
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "complete";
}

/// <summary>The job ended without completing: cancelled, or it could not run (event id <c>error</c>).</summary>
public sealed record ErrorEvent([property: JsonPropertyName("error")] string Error)
{
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "error";
}
