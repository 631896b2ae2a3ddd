using System.Text.Json;
using System.Text.Json.Serialization;
using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.BatchScoring;

/// <summary>
/// <c>{"judgingMatrix", "tests": [{"id", "text"}]}</c>, read by hand so each mistake names its field as the existing
/// clients expect (<c>tests.id</c>, <c>tests.text</c>).
/// </summary>
public static class BatchScoreRequest
{
    public static (string? JudgingMatrix, List<BatchTest> Tests) Parse(JsonElement body)
    {
        string? matrix = null;
        if (body.TryGetProperty("judgingMatrix", out var matrixElement))
        {
            matrix = matrixElement.ValueKind == JsonValueKind.String
                ? matrixElement.GetString()
                : throw FuncTraceException.Validation("'judgingMatrix' must be a string.", "judgingMatrix");
        }
        if (!body.TryGetProperty("tests", out var testsElement) || testsElement.ValueKind != JsonValueKind.Array)
        {
            throw FuncTraceException.Validation("'tests' must be a non-empty array of {\"id\", \"text\"}.", "tests");
        }
        var tests = new List<BatchTest>();
        var index = 0;
        foreach (var test in testsElement.EnumerateArray())
        {
            if (test.ValueKind != JsonValueKind.Object)
            {
                throw FuncTraceException.Validation($"tests[{index}] must be an object with 'id' and 'text'.", "tests");
            }
            if (!test.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var testId) || testId < 1)
            {
                throw FuncTraceException.Validation($"tests[{index}].id must be a positive integer.", "tests.id");
            }
            if (!test.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw FuncTraceException.Validation($"tests[{index}].text must be a non-empty string.", "tests.text");
            }
            tests.Add(new BatchTest(testId, text.GetString()!));
            index++;
        }
        return (matrix, tests);
    }
}

/// <summary>A test's outcome as the POST and the stream show it: a failed test has a null score and its error.</summary>
public sealed record BatchResult(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("score")] int? Score,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public static BatchResult From(TestOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new(outcome.TestId, outcome.Score, outcome.Error);
    }

    /// <summary>The outcomes in the order of the job's tests.</summary>
    public static List<BatchResult> Ordered(BatchJob job, IReadOnlyList<TestOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(job);
        var byTest = outcomes.ToDictionary(o => o.TestId);
        return job.TestOrder.Where(byTest.ContainsKey).Select(id => From(byTest[id])).ToList();
    }
}

public sealed record BatchResultsResponse([property: JsonPropertyName("results")] IReadOnlyList<BatchResult> Results);

/// <summary>The 202 of a job that outlasted the wait: where to follow it.</summary>
public sealed record BatchAcceptedResponse(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("statusUrl")] string StatusUrl,
    [property: JsonPropertyName("eventsUrl")] string EventsUrl)
{
    public static BatchAcceptedResponse For(string jobId) => new(jobId, BatchJobUrls.Status(jobId), BatchJobUrls.Events(jobId));
}

public sealed record ScoredTest(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("score")] int Score,
    [property: JsonPropertyName("reasoning")] string? Reasoning);

public sealed record FailedTest([property: JsonPropertyName("id")] long Id, [property: JsonPropertyName("error")] string? Error);

/// <summary><c>GET /api/batchScore/{jobId}</c>: the job, its counts, and what is known so far, in the order of its tests.</summary>
public sealed record BatchJobStatusResponse(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("completed")] int Completed,
    [property: JsonPropertyName("scored")] int Scored,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("finishedAt")] DateTimeOffset? FinishedAt,
    [property: JsonPropertyName("results")] IReadOnlyList<ScoredTest> Results,
    [property: JsonPropertyName("failures")] IReadOnlyList<FailedTest> Failures,
    [property: JsonPropertyName("statusUrl")] string StatusUrl,
    [property: JsonPropertyName("eventsUrl")] string EventsUrl)
{
    public static BatchJobStatusResponse From(BatchJob job, IReadOnlyList<TestOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(job);
        var byTest = outcomes.ToDictionary(o => o.TestId);
        var recorded = job.TestOrder.Where(byTest.ContainsKey).Select(id => byTest[id]).ToList();
        return new(job.Id, job.Status, job.Total, job.Done, job.Scored, job.Failed, job.Error, job.CreatedAt, job.FinishedAt,
            recorded.Where(o => o.Score is not null).Select(o => new ScoredTest(o.TestId, o.Score!.Value, o.Reasoning)).ToList(),
            recorded.Where(o => o.Score is null).Select(o => new FailedTest(o.TestId, o.Error)).ToList(),
            BatchJobUrls.Status(job.Id), BatchJobUrls.Events(job.Id));
    }
}

/// <summary>One job of <c>GET /api/batchScore</c>: its counts without the results.</summary>
public sealed record BatchJobSummary(
    [property: JsonPropertyName("jobId")] string JobId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("completed")] int Completed,
    [property: JsonPropertyName("scored")] int Scored,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("finishedAt")] DateTimeOffset? FinishedAt,
    [property: JsonPropertyName("statusUrl")] string StatusUrl,
    [property: JsonPropertyName("eventsUrl")] string EventsUrl)
{
    public static BatchJobSummary From(BatchJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(job.Id, job.Status, job.Total, job.Done, job.Scored, job.Failed, job.Error, job.CreatedAt, job.FinishedAt,
            BatchJobUrls.Status(job.Id), BatchJobUrls.Events(job.Id));
    }
}

public sealed record BatchJobListResponse(
    [property: JsonPropertyName("jobs")] IReadOnlyList<BatchJobSummary> Jobs,
    [property: JsonPropertyName("nextCursor")] string? NextCursor);

public static class BatchJobUrls
{
    public static string Status(string jobId) => $"/api/batchScore/{jobId}";

    public static string Events(string jobId) => $"/api/batchScore/{jobId}/events";
}

/// <summary>The camelCase body <see cref="BatchScoreRequest"/> reads, as the document shows it.</summary>
public sealed record BatchScoreBody(
    [property: JsonPropertyName("judgingMatrix")] string? JudgingMatrix,
    [property: JsonPropertyName("tests")] List<BatchTestBody?>? Tests);

public sealed record BatchTestBody([property: JsonPropertyName("id")] long? Id, [property: JsonPropertyName("text")] string? Text);
