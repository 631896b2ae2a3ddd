using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Artifacts;

public sealed class ArtifactTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task AnArtifactOfSeveralBlocksRoundTripsByteForByteWithItsContentType()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);
        var bytes = new byte[9 * 1024 * 1024 + 321];
        new Random(7).NextBytes(bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");

        using var upload = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/bundle.tar", content);
        using var download = await tenant.Ingest.GetAsync($"/api/events/{eventId}/artifacts/bundle.tar");

        var stored = await ApiAssert.JsonAsync(upload, HttpStatusCode.Created);
        Assert.Equal(bytes.Length, stored.GetProperty("size").GetInt64());
        Assert.Equal("application/x-tar", stored.GetProperty("content_type").GetString());
        Assert.Equal($"/api/events/{eventId}/artifacts/bundle.tar", stored.GetProperty("url").GetString());
        Assert.Equal(stored.GetProperty("url").GetString(), upload.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/x-tar", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, download.Content.Headers.ContentLength);
        Assert.Equal("bytes", download.Headers.AcceptRanges.Single());
        Assert.Equal(stored.GetProperty("etag").GetString(), download.Headers.ETag?.Tag);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task AnUploadWithoutALengthIsStreamedAndAnEmptyOneIsStoredEmpty()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);
        var bytes = new byte[5 * 1024 * 1024];
        new Random(11).NextBytes(bytes);

        using var chunked = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/chunked.bin", new StreamContent(new NonSeekableStream(bytes)));
        using var empty = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/empty.txt", new ByteArrayContent([]));

        Assert.Equal(bytes.Length, (await ApiAssert.JsonAsync(chunked, HttpStatusCode.Created)).GetProperty("size").GetInt64());
        var emptyBody = await ApiAssert.JsonAsync(empty, HttpStatusCode.Created);
        Assert.Equal(0, emptyBody.GetProperty("size").GetInt64());
        Assert.Equal("application/octet-stream", emptyBody.GetProperty("content_type").GetString());
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await tenant.Ingest.GetByteArrayAsync($"/api/events/{eventId}/artifacts/chunked.bin")));
        Assert.Empty(await tenant.Ingest.GetByteArrayAsync($"/api/events/{eventId}/artifacts/empty.txt"));
    }

    [Fact]
    public async Task UploadingAgainReplacesTheArtifactWhole()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);

        using var first = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/notes.txt", new StringContent("first version, the longer one"));
        using var second = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/notes.txt", new StringContent("second"));

        var firstBody = await ApiAssert.JsonAsync(first, HttpStatusCode.Created);
        var secondBody = await ApiAssert.JsonAsync(second, HttpStatusCode.Created);
        Assert.NotEqual(firstBody.GetProperty("etag").GetString(), secondBody.GetProperty("etag").GetString());
        Assert.Equal("second", await tenant.Ingest.GetStringAsync($"/api/events/{eventId}/artifacts/notes.txt"));
    }

    [Fact]
    public async Task AnEventsArtifactsAreListedByNameAndPaged()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);
        var other = await NewEventAsync(tenant);
        using var a = new StringContent("a", null, "text/plain");
        using var b = new StringContent("{}", null, "application/json");
        using var c = new StringContent("ccc", null, "text/csv");
        using var elsewhere = new StringContent("x");
        await ApiAssert.JsonAsync(await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/b.json", b), HttpStatusCode.Created);
        await ApiAssert.JsonAsync(await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/a.txt", a), HttpStatusCode.Created);
        await ApiAssert.JsonAsync(await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/c.csv", c), HttpStatusCode.Created);
        await ApiAssert.JsonAsync(await tenant.Ingest.PutAsync($"/api/events/{other}/artifacts/x.txt", elsewhere), HttpStatusCode.Created);

        var list = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts");
        var page = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts?limit=2");
        var rest = await tenant.Review.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts?limit=2&cursor={page.GetProperty("next_cursor").GetString()}");
        using var badCursor = await tenant.Review.GetAsync($"/api/events/{eventId}/artifacts?cursor=bm90LWEtY3Vyc29y");

        var artifacts = list.GetProperty("artifacts").EnumerateArray().ToList();
        Assert.Equal(["a.txt", "b.json", "c.csv"], artifacts.Select(x => x.GetProperty("name").GetString()));
        Assert.Equal(["text/plain", "application/json", "text/csv"], artifacts.Select(x => x.GetProperty("content_type").GetString()!.Split(';')[0]));
        Assert.Equal([1L, 2L, 3L], artifacts.Select(x => x.GetProperty("size").GetInt64()));
        Assert.All(artifacts, x => Assert.True(x.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(JsonValueKind.Null, list.GetProperty("next_cursor").ValueKind);
        Assert.Equal(["a.txt", "b.json"], page.GetProperty("artifacts").EnumerateArray().Select(x => x.GetProperty("name").GetString()));
        Assert.Equal(["c.csv"], rest.GetProperty("artifacts").EnumerateArray().Select(x => x.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_cursor").ValueKind);
        await ApiAssert.ErrorAsync(badCursor, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task AnArtifactOverTheLimitIsRefusedWith413AndNotStored()
    {
        await using var small = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Events:MaxArtifactBytes"] = "1000" });
        await small.StartAsync();
        using var tenant = await TenantClients.CreateAsync(small);
        var eventId = await NewEventAsync(tenant);

        using var declared = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/big.bin", new ByteArrayContent(new byte[5000]));
        using var streamed = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/big2.bin", new StreamContent(new NonSeekableStream(new byte[5000])));
        using var atTheLimit = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/fits.bin", new StreamContent(new NonSeekableStream(new byte[1000])));
        var list = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts");

        var envelope = await ApiAssert.ErrorAsync(declared, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        Assert.Equal(1000, envelope.GetProperty("error").GetProperty("details").GetProperty("max_bytes").GetInt64());
        await ApiAssert.ErrorAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        await ApiAssert.JsonAsync(atTheLimit, HttpStatusCode.Created);
        Assert.Equal(["fits.bin"], list.GetProperty("artifacts").EnumerateArray().Select(x => x.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task ArtifactsOfUnknownEventsOrWithBadNamesAreRejected()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(tenant);
        using var longType = new StringContent("x");
        longType.Headers.TryAddWithoutValidation("Content-Type", "text/" + new string('x', 300));

        using var unknownEvent = await tenant.Ingest.PutAsync("/api/events/nope/artifacts/a.txt", new StringContent("x"));
        using var unknownList = await tenant.Ingest.GetAsync("/api/events/nope/artifacts");
        using var badName = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/a%20b%3F", new StringContent("x"));
        using var longName = await tenant.Ingest.GetAsync($"/api/events/{eventId}/artifacts/{new string('n', 201)}");
        using var badType = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/a.txt", longType);
        using var missing = await tenant.Ingest.GetAsync($"/api/events/{eventId}/artifacts/none.txt");
        using var missingRange = await SendAsync(tenant.Ingest, $"/api/events/{eventId}/artifacts/none.txt", "bytes=0-1");
        using var anonymous = app.ClientWithKey(null);
        using var noKey = await anonymous.GetAsync($"/api/events/{eventId}/artifacts");
        using var reviewUpload = await tenant.Review.PutAsync($"/api/events/{eventId}/artifacts/a.txt", new StringContent("x"));

        Assert.Equal($"No event with id 'nope'.", (await ApiAssert.ErrorAsync(unknownEvent, HttpStatusCode.NotFound, "NOT_FOUND")).GetProperty("error").GetProperty("message").GetString());
        await ApiAssert.ErrorAsync(unknownList, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(badName, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(longName, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(badType, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        Assert.Equal($"Event '{eventId}' has no artifact 'none.txt'.", (await ApiAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND")).GetProperty("error").GetProperty("message").GetString());
        await ApiAssert.ErrorAsync(missingRange, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(noKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        await ApiAssert.ErrorAsync(reviewUpload, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task AnotherTenantCannotReadListOrWriteArtifacts()
    {
        using var a = await TenantClients.CreateAsync(app);
        using var b = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(a);
        await ApiAssert.JsonAsync(await a.Ingest.PutAsync($"/api/events/{eventId}/artifacts/secret.txt", new StringContent("a's secret")), HttpStatusCode.Created);

        using var read = await b.Ingest.GetAsync($"/api/events/{eventId}/artifacts/secret.txt");
        using var list = await b.Ingest.GetAsync($"/api/events/{eventId}/artifacts");
        using var write = await b.Ingest.PutAsync($"/api/events/{eventId}/artifacts/secret.txt", new StringContent("overwrite"));

        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(list, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(write, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("a's secret", await a.Ingest.GetStringAsync($"/api/events/{eventId}/artifacts/secret.txt"));
    }

    [Fact]
    public async Task AnEventWithAClientChosenIdHoldsArtifactsUnderItsOwnTenantAndRow()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { id = "run42-step3", conversation_id = "run42", event_type = "x", data = new { } })).GetProperty("id").GetString();

        await ApiAssert.JsonAsync(await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/openapi.yaml", new StringContent("openapi: 3.1.0")), HttpStatusCode.Created);

        var names = new List<string>();
        await foreach (var blob in app.Container(StorageNames.ArtifactsContainer).GetBlobsAsync(BlobTraits.None, BlobStates.None, tenant.Tenant + "|", CancellationToken.None))
        {
            names.Add(blob.Name);
        }
        var name = Assert.Single(names);
        Assert.Matches($"^{tenant.Tenant}\\|[0-9A-Z]{{26}}/openapi\\.yaml$", name);
        Assert.Equal("openapi: 3.1.0", await tenant.Ingest.GetStringAsync($"/api/events/run42-step3/artifacts/openapi.yaml"));
    }

    internal static async Task<string> NewEventAsync(TenantClients tenant) =>
        (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "api_file_created", data = new { } })).GetProperty("id").GetString()!;

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string? range, string? ifRange = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }
        if (ifRange is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Range", ifRange);
        }
        return await client.SendAsync(request);
    }
}
