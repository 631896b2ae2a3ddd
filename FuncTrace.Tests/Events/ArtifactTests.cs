using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Events;

public sealed class ArtifactTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task AnArtifactOfSeveralBlocksRoundTripsByteForByteWithItsContentType()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "api_file_created", data = new { } })).GetProperty("id").GetString();
        var bytes = new byte[9 * 1024 * 1024 + 321];
        new Random(7).NextBytes(bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");

        using var upload = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/bundle.tar", content);
        using var download = await tenant.Ingest.GetAsync($"/api/events/{eventId}/artifacts/bundle.tar");

        var stored = await ApiAssert.JsonAsync(upload, HttpStatusCode.Created);
        Assert.Equal(bytes.Length, stored.GetProperty("size").GetInt64());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/x-tar", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task ARangeRequestGetsPartialContent()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "x", data = new { } })).GetProperty("id").GetString();
        using var content = new StringContent("0123456789abcdef");
        await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/digits.txt", content);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events/{eventId}/artifacts/digits.txt");
        request.Headers.Range = new RangeHeaderValue(4, 9);

        using var response = await tenant.Ingest.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("456789", await response.Content.ReadAsStringAsync());
        Assert.Equal("bytes 4-9/16", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task AnEventsArtifactsAreListed()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "x", data = new { } })).GetProperty("id").GetString();
        using var a = new StringContent("a", null, "text/plain");
        using var b = new StringContent("{}", null, "application/json");
        await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/a.txt", a);
        await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/b.json", b);

        var list = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts");

        var artifacts = list.GetProperty("artifacts").EnumerateArray().ToList();
        Assert.Equal(["a.txt", "b.json"], artifacts.Select(x => x.GetProperty("name").GetString()));
        Assert.Equal(["text/plain", "application/json"], artifacts.Select(x => x.GetProperty("content_type").GetString()!.Split(';')[0]));
        Assert.Equal([1L, 2L], artifacts.Select(x => x.GetProperty("size").GetInt64()));
    }

    [Fact]
    public async Task AnArtifactOverTheLimitIsRefusedWith413AndNotStored()
    {
        using var small = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:Events:MaxArtifactBytes"] = "1000" });
        using var tenant = await TenantClients.CreateAsync(small);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "x", data = new { } })).GetProperty("id").GetString();

        using var declared = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/big.bin", new ByteArrayContent(new byte[5000]));
        using var streamed = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/big2.bin", new StreamContent(new MemoryStream(new byte[5000])));
        var list = await tenant.Ingest.GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/artifacts");

        await ApiAssert.ErrorAsync(declared, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal(0, list.GetProperty("artifacts").GetArrayLength());
    }

    [Fact]
    public async Task ArtifactsOfUnknownEventsOrWithBadNamesAreRejected()
    {
        using var tenant = await TenantClients.CreateAsync(app);
        var eventId = (await tenant.PostEventAsync(new { conversation_id = "c", event_type = "x", data = new { } })).GetProperty("id").GetString();

        using var unknownEvent = await tenant.Ingest.PutAsync("/api/events/nope/artifacts/a.txt", new StringContent("x"));
        using var badName = await tenant.Ingest.PutAsync($"/api/events/{eventId}/artifacts/a%20b%3F", new StringContent("x"));
        using var missing = await tenant.Ingest.GetAsync($"/api/events/{eventId}/artifacts/none.txt");
        using var anonymous = app.ClientWithKey(null);
        using var noKey = await anonymous.GetAsync($"/api/events/{eventId}/artifacts");

        await ApiAssert.ErrorAsync(unknownEvent, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(badName, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        await ApiAssert.ErrorAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(noKey, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task AnotherTenantCannotReadOrListArtifacts()
    {
        using var a = await TenantClients.CreateAsync(app);
        using var b = await TenantClients.CreateAsync(app);
        var eventId = (await a.PostEventAsync(new { conversation_id = "c", event_type = "x", data = new { } })).GetProperty("id").GetString();
        await a.Ingest.PutAsync($"/api/events/{eventId}/artifacts/secret.txt", new StringContent("a's secret"));

        using var read = await b.Ingest.GetAsync($"/api/events/{eventId}/artifacts/secret.txt");
        using var list = await b.Ingest.GetAsync($"/api/events/{eventId}/artifacts");
        using var write = await b.Ingest.PutAsync($"/api/events/{eventId}/artifacts/secret.txt", new StringContent("overwrite"));

        await ApiAssert.ErrorAsync(read, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(list, HttpStatusCode.NotFound, "NOT_FOUND");
        await ApiAssert.ErrorAsync(write, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal("a's secret", await a.Ingest.GetStringAsync($"/api/events/{eventId}/artifacts/secret.txt"));
    }
}
