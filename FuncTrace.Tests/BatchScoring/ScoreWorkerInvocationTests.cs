using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>The worker as the Functions host drives it: a POST to /ScoreWorker per queue message.</summary>
public sealed class ScoreWorkerInvocationTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    [Fact]
    public async Task TheHostsInvocationPayloadScoresTheTestAndAnswersWithTheOutputsShape()
    {
        var settings = fixture.Server.AppSettings(
            ("FUNCTIONS_CUSTOMHANDLER_PORT", "7999"),
            ("FuncTrace:BatchScore:WaitSeconds", "0"));
        using var app = FuncTraceApp.WithSettings(settings);
        using var client = app.ClientWithKey(await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));
        using var start = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "m", tests = new[] { new { id = 7, text = "want 8" } } });
        var jobId = (await ApiAssert.JsonAsync(start, HttpStatusCode.Accepted)).GetProperty("jobId").GetString();
        var message = JsonSerializer.Serialize(new { JobId = jobId, TestId = 7 });
        var invocation = new
        {
            Data = new { message = JsonSerializer.Serialize(message) },
            Metadata = new { DequeueCount = 1, Id = "m-1", InsertionTime = DateTimeOffset.UtcNow },
        };

        using var host = app.CreateClient();
        using var response = await host.PostAsync("/ScoreWorker", new StringContent(JsonSerializer.Serialize(invocation), Encoding.UTF8, "application/json"));

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("Logs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ReturnValue").ValueKind);
        var status = await client.GetFromJsonAsync<JsonElement>($"/api/batchScore/{jobId}");
        Assert.Equal("completed", status.GetProperty("status").GetString());
        Assert.Equal(8, status.GetProperty("results")[0].GetProperty("score").GetInt32());
    }
}
