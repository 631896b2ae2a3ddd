using System.Text.Json;
using FuncTrace.Domain.BatchScoring;
using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Api;

/// <summary>The camelCase shapes of <c>/api/batchScore</c>, as its existing clients expect them.</summary>
public static class BatchScorePayloads
{
    /// <summary>Reads <c>{"judgingMatrix", "tests": [{"id", "text"}]}</c>, naming the first thing that is wrong.</summary>
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

    /// <summary>Results in the order of the job's tests; a failed test has a null score and its error.</summary>
    public static List<Dictionary<string, object?>> Ordered(BatchJob job, IReadOnlyDictionary<long, TestResult> results)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(results);
        return job.TestOrder.Where(results.ContainsKey).Select(id => Result(results[id])).ToList();
    }

    public static Dictionary<string, object?> Result(TestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var shape = new Dictionary<string, object?> { ["id"] = result.TestId, ["score"] = result.Score };
        if (result.Error is not null)
        {
            shape["error"] = result.Error;
        }
        return shape;
    }

    public static object Accepted(string jobId) => new
    {
        jobId,
        statusUrl = $"/api/batchScore/{jobId}",
        eventsUrl = $"/api/batchScore/{jobId}/events",
    };

    public static object Status(BatchJob job, IReadOnlyDictionary<long, TestResult> results)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(results);
        var recorded = job.TestOrder.Where(results.ContainsKey).Select(id => results[id]).ToList();
        return new
        {
            jobId = job.Id,
            status = job.Status,
            total = job.Total,
            completed = job.Done,
            scored = job.Scored,
            failed = job.Failed,
            error = job.Error,
            createdAt = job.CreatedAt,
            finishedAt = job.FinishedAt,
            results = recorded.Where(r => r.Score is not null)
                .Select(r => new { id = r.TestId, score = r.Score, reasoning = r.Reasoning }),
            failures = recorded.Where(r => r.Score is null)
                .Select(r => new { id = r.TestId, error = r.Error }),
            statusUrl = $"/api/batchScore/{job.Id}",
            eventsUrl = $"/api/batchScore/{job.Id}/events",
        };
    }
}
