using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Views;
using FuncTrace.Tests.BatchScoring;
using FuncTrace.Tests.Conversations;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Status;

/// <summary><c>jobs_created</c> is a counter of the views: each job's row enlists in an ingest slot, like an event.</summary>
public sealed class JobsCreatedTests(BatchScoreAppFixture fixture) : IClassFixture<BatchScoreAppFixture>
{
    private FuncTraceApp App => fixture.App;

    [Fact]
    public async Task EachJobIsCountedOnceAndAReplayWithItsIdempotencyKeyCountsNothing()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        using var other = await TenantClients.CreateAsync(App);
        var body = new { judgingMatrix = "rubric", tests = new[] { new { id = 1, text = "want 6" } } };

        using var first = await BatchScoreClient.PostAsync(tenant.Ingest, body, "job-key-1");
        await ApiAssert.JsonAsync(first, HttpStatusCode.OK);
        await ConversationTests.WaitForAsync(tenant, "/api/status", s => s.GetProperty("jobs_created").GetInt64() >= 1);
        using var replay = await BatchScoreClient.PostAsync(tenant.Ingest, body, "job-key-1");
        await ApiAssert.JsonAsync(replay, HttpStatusCode.OK);
        using var second = await BatchScoreClient.PostAsync(tenant.Ingest, body, null);
        await ApiAssert.JsonAsync(second, HttpStatusCode.OK);

        var status = await ConversationTests.WaitForAsync(tenant, "/api/status", s => s.GetProperty("jobs_created").GetInt64() >= 2);
        var metrics = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/observability/metrics");
        var otherStatus = await other.Ingest.GetFromJsonAsync<JsonElement>("/api/status");

        Assert.Equal(first.Headers.GetValues("X-Job-Id").Single(), replay.Headers.GetValues("X-Job-Id").Single());
        Assert.Equal(2, status.GetProperty("jobs_created").GetInt64());
        Assert.Equal(2, metrics.GetProperty("counters").GetProperty("jobs_created").GetInt64());
        Assert.Equal(0, otherStatus.GetProperty("jobs_created").GetInt64());
        Assert.Equal(0, status.GetProperty("events_ingested").GetInt64());
    }

    [Fact]
    public async Task AJobWhoseCreatorDiedBeforeSealingItsSlotIsCountedOnceByRecovery()
    {
        using var tenant = await TenantClients.CreateAsync(App);
        const string Slot = "20250101000000000deadbeef000001";
        var jobId = "job-recovered-" + Guid.NewGuid().ToString("N")[..8];
        await App.Table(StorageNames.JobsTable).AddEntityAsync(new TableEntity(jobId, BatchJobRows.Job)
        {
            ["Tenant"] = tenant.Tenant,
            ["Status"] = BatchJobStatus.Completed,
            ["CreatedAt"] = DateTimeOffset.UtcNow,
            ["Slot"] = Slot,
        });
        var recovery = App.Services.GetRequiredService<SlotRecovery>();
        var intent = new SlotMessage { Slot = Slot, Partitions = [BatchJobRows.SlotPartition(tenant.Tenant, jobId)] };
        var otherSlot = new SlotMessage { Slot = Slot + "x", Partitions = [BatchJobRows.SlotPartition(tenant.Tenant, jobId)] };

        await recovery.RecoverAsync(intent, CancellationToken.None);
        await recovery.RecoverAsync(intent, CancellationToken.None);
        await recovery.RecoverAsync(otherSlot, CancellationToken.None);

        var status = await tenant.Ingest.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.Equal(1, status.GetProperty("jobs_created").GetInt64());
    }
}
