using FuncTrace.Functions.Shared;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Artifacts;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static FuncTrace.Tests.Artifacts.ArtifactTests;

namespace FuncTrace.Tests.Artifacts;

/// <summary>Uploads that go wrong — a body that stops arriving, two uploads of one name at once — never commit a broken artifact.</summary>
public sealed class ArtifactUploadFaultTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(60);

    public static TheoryData<string, byte[]> StalledBodies() => new()
    {
        // The data of a chunk stops part-way: the chunk promised 500 bytes, 100 came.
        { "chunked", [.. Encoding.ASCII.GetBytes("1f4\r\n"), .. new byte[100]] },
        // The chunk-size line itself never ends.
        { "chunked", [.. RawHttp.Chunk(new byte[300]), .. Encoding.ASCII.GetBytes("1f")] },
        // A chunk size far larger than what is sent.
        { "chunked", [.. Encoding.ASCII.GetBytes("100000\r\n"), .. new byte[10]] },
        // Content-Length promises 100 bytes, 6 come.
        { "length", "{\"a\": "u8.ToArray() },
    };

    /// <summary>Little was sent, so Kestrel's minimum data rate ends the read (its 408, which the pipeline maps).</summary>
    [Theory]
    [MemberData(nameof(StalledBodies))]
    public async Task AnUploadWhoseBodyStopsArrivingIsARequestTimeoutAndCommitsNothing(string framing, byte[] sent)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);

        var answer = await StallAsync(app, tenant, eventId, "stalled.bin", framing == "chunked" ? "Transfer-Encoding: chunked" : "Content-Length: 100", sent);

        AssertRequestTimeout(answer);
        await AssertNothingCommittedAsync(app, tenant, eventId, "stalled.bin");
    }

    /// <summary>
    /// 9 MiB arrived fast (two blocks staged), then nothing: Kestrel's rate, an average over the whole body, would wait
    /// hours; the upload's own idle limit ends it.
    /// </summary>
    [Fact]
    public async Task AnUploadThatStopsAfterSeveralBlocksWereStagedIsARequestTimeoutAndCommitsNothing()
    {
        await using var quick = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:RequestBodyIdleSeconds"] = "2" });
        await quick.StartAsync();
        using var tenant = await TenantClients.CreateAsync(quick);
        var eventId = await NewEventAsync(tenant);
        var staged = new byte[9 * 1024 * 1024];
        new Random(3).NextBytes(staged);

        var answer = await StallAsync(quick, tenant, eventId, "partial.bin", "Transfer-Encoding: chunked", [.. RawHttp.Chunk(staged), .. Encoding.ASCII.GetBytes("100000\r\n"), .. new byte[10]]);

        AssertRequestTimeout(answer);
        Assert.Contains("stopped arriving for 2 s", answer.Body, StringComparison.Ordinal);
        await AssertNothingCommittedAsync(quick, tenant, eventId, "partial.bin");
    }

    [Theory]
    [InlineData(9 * 1024 * 1024)]
    [InlineData(1024)]
    public async Task OfTwoOverlappingUploadsOfOneNameTheSecondToFinishIsAConflictAndTheFirstIsStoredWhole(int length)
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);
        var artifacts = app.Services.GetRequiredService<ArtifactService>();
        var a = new GatedStream(0xAA, length);
        var b = new GatedStream(0xBB, length);

        var uploadA = artifacts.UploadAsync(tenant.Tenant, eventId, "race.bin", a, null, null);
        var uploadB = artifacts.UploadAsync(tenant.Tenant, eventId, "race.bin", b, null, null);
        await Task.WhenAll(a.Started, b.Started);
        a.Release();
        var first = await uploadA;
        b.Release();
        var second = await Assert.ThrowsAsync<FuncTraceException>(() => uploadB);

        Assert.Equal(length, first.Size);
        Assert.Equal(ErrorCode.Conflict, second.Code);
        Assert.Equal("Another upload of artifact 'race.bin' finished first; send it again to replace that one.", second.Message);
        var stored = await tenant.Ingest.GetByteArrayAsync($"/api/events/{eventId}/artifacts/race.bin");
        Assert.Equal(length, stored.Length);
        Assert.All(stored, x => Assert.Equal(0xAA, x));
    }

    [Fact]
    public async Task TwoConcurrentUploadsOverHttpNeverStoreAMixOfBoth()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);
        var path = $"/api/events/{eventId}/artifacts/race.bin";
        const int length = 9 * 1024 * 1024;
        var a = Enumerable.Repeat((byte)0xAA, length).ToArray();
        var b = Enumerable.Repeat((byte)0xBB, length).ToArray();

        var answers = await Task.WhenAll(
            tenant.Ingest.PutAsync(path, new StreamContent(new NonSeekableStream(a))),
            tenant.Ingest.PutAsync(path, new StreamContent(new NonSeekableStream(b))));

        Assert.All(answers, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Contains(answers, r => r.StatusCode == HttpStatusCode.Created);
        var stored = await tenant.Ingest.GetByteArrayAsync(path);
        Assert.Equal(length, stored.Length);
        Assert.True(stored.All(x => x == 0xAA) || stored.All(x => x == 0xBB), "The stored artifact mixes both bodies.");
        if (answers.Any(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            var winner = answers[0].StatusCode == HttpStatusCode.Created ? a : b;
            Assert.Equal(winner[0], stored[0]);
        }
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(601)]
    public void AnIdleLimitThatCannotWorkIsRefusedAtStart(int seconds)
    {
        var result = new FuncTraceOptionsValidator().Validate(null, new FuncTraceOptions { StoragePrefix = "valid", RequestBodyIdleSeconds = seconds });

        Assert.True(result.Failed);
        Assert.Contains("FuncTrace__RequestBodyIdleSeconds", result.FailureMessage, StringComparison.Ordinal);
    }

    private static Task<RawHttp.Answer> StallAsync(FuncTraceApp host, TenantClients tenant, string eventId, string name, string framing, byte[] sent) =>
        RawHttp.SendThenStallAsync(host.BaseAddress, "PUT", $"/api/events/{eventId}/artifacts/{name}",
            ["X-API-Key: " + tenant.Ingest.DefaultRequestHeaders.GetValues("X-API-Key").Single(), framing, "Content-Type: application/octet-stream"],
            sent, AnswerWithin);

    private static void AssertRequestTimeout(RawHttp.Answer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.RequestTimeout, $"{(int)answer.Status}: {answer.Body}");
        using var envelope = JsonDocument.Parse(answer.Body);
        var error = envelope.RootElement.GetProperty("error");
        Assert.Equal("REQUEST_TIMEOUT", error.GetProperty("code").GetString());
        Assert.Contains("nothing was stored", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(envelope.RootElement.GetProperty("request_id").GetString()));
    }

    private static async Task AssertNothingCommittedAsync(FuncTraceApp host, TenantClients tenant, string eventId, string name)
    {
        using var download = await tenant.Ingest.GetAsync($"/api/events/{eventId}/artifacts/{name}");
        await ApiAssert.ErrorAsync(download, HttpStatusCode.NotFound, "NOT_FOUND");
        var list = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts");
        Assert.Empty(list.GetProperty("artifacts").EnumerateArray());
        var committed = new List<string>();
        await foreach (var blob in host.Container(StorageNames.ArtifactsContainer).GetBlobsAsync(BlobTraits.None, BlobStates.None, tenant.Tenant + "|", CancellationToken.None))
        {
            committed.Add(blob.Name);
        }
        Assert.Empty(committed);
    }
}
