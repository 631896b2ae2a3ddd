using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.Domain.BatchScoring;
using FuncTrace.Functions.Workers;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>
/// Under the Functions host a message can reach the poison queue without our handler seeing its last failure
/// (the attempt never returned); the poison function then records the test as failed so the job completes.
/// </summary>
public sealed class ScorePoisonWorkerTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    [Fact]
    public async Task AMessageThatReachedThePoisonQueueIsRecordedAsAFailedTestAndTheJobCompletes()
    {
        using var app = FuncTraceApp.WithSettings(fixture.Server.AppSettings(
            ("FUNCTIONS_CUSTOMHANDLER_PORT", "7999"),
            ("FuncTrace:BatchScore:WaitSeconds", "0")));
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        using var start = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = new[] { new { id = 4, text = "want 8" } } });
        var jobId = (await ApiAssert.JsonAsync(start, HttpStatusCode.Accepted)).GetProperty("jobId").GetString();
        var invocation = new
        {
            Data = new { message = JsonSerializer.Serialize(JsonSerializer.Serialize(new { JobId = jobId, TestId = 4 })) },
            Metadata = new { DequeueCount = 1, Id = "poisoned-1", InsertionTime = DateTimeOffset.UtcNow },
        };

        using var host = app.CreateClient();
        using var response = await host.PostAsync("/ScorePoisonWorker", new StringContent(JsonSerializer.Serialize(invocation), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/batchScore/{jobId}");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        var failure = Assert.Single(status.GetProperty("failures").EnumerateArray());
        Assert.Equal(4, failure.GetProperty("id").GetInt64());
        Assert.Equal(ScorePoisonWorker.Reason, failure.GetProperty("error").GetString());
    }

    [Fact]
    public void TheStandaloneListenerLeavesThePoisonQueueAlone()
    {
        var handlers = fixture.App.Services.GetRequiredService<QueueHandlers>();

        var poison = Assert.Single(handlers.All, h => h.FunctionName == "ScorePoisonWorker");

        Assert.False(poison.RunsStandalone);
        Assert.Equal("score-poison", poison.QueueName);
    }
}
