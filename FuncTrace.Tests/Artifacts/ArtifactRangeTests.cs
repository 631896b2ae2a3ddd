using System.Net;
using FuncTrace.Tests.Infrastructure;
using static FuncTrace.Tests.Artifacts.ArtifactTests;

namespace FuncTrace.Tests.Artifacts;

/// <summary>Range requests on a 10,240-byte artifact, as RFC 9110 has them: one range served as 206, none that exists as 416.</summary>
public sealed class ArtifactRangeTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>, IAsyncLifetime
{
    private const int Size = 10_240;
    private readonly byte[] _bytes = Enumerable.Range(0, Size).Select(i => (byte)(i * 7 % 251)).ToArray();
    private TenantClients? _tenant;
    private string _path = string.Empty;
    private string _etag = string.Empty;

    private HttpClient Client => _tenant!.Ingest;

    public async Task InitializeAsync()
    {
        _tenant = await TenantClients.CreateAsync(app);
        var eventId = await NewEventAsync(_tenant);
        _path = $"/api/events/{eventId}/artifacts/data.bin";
        using var upload = await Client.PutAsync(_path, new ByteArrayContent(_bytes));
        _etag = (await ApiAssert.JsonAsync(upload, HttpStatusCode.Created)).GetProperty("etag").GetString()!;
    }

    public Task DisposeAsync()
    {
        _tenant?.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("bytes=0-0", 0, 1)]
    [InlineData("bytes=100-199", 100, 100)]
    [InlineData("bytes=0-", 0, Size)]
    [InlineData("bytes=10239-", 10_239, 1)]
    [InlineData("bytes=10000-99999", 10_000, 240)]
    [InlineData("bytes=0-99999999999999999999999", 0, Size)]
    [InlineData("bytes=-100", 10_140, 100)]
    [InlineData("bytes=-10240", 0, Size)]
    [InlineData("bytes=-20000", 0, Size)]
    [InlineData("bytes=-99999999999999999999999", 0, Size)]
    [InlineData("BYTES=5-9", 5, 5)]
    [InlineData("bytes=00000000000000000-1", 0, 2)]
    public async Task ARangeThatOverlapsTheArtifactIsPartialContent(string range, int offset, int length)
    {
        using var response = await SendAsync(Client, _path, range);

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.PartialContent, $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        Assert.Equal(_bytes.AsSpan(offset, length).ToArray(), body);
        Assert.Equal($"bytes {offset}-{offset + length - 1}/{Size}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Equal(_etag, response.Headers.ETag?.Tag);
    }

    [Theory]
    [InlineData("bytes=10240-")]
    [InlineData("bytes=10240-10240")]
    [InlineData("bytes=20000-30000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=99999999999999999999-")]
    public async Task ARangeWhollyPastTheEndIsRangeNotSatisfiable(string range)
    {
        using var response = await SendAsync(Client, _path, range);

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.RequestedRangeNotSatisfiable, "RANGE_NOT_SATISFIABLE");
        Assert.Equal(Size, envelope.GetProperty("error").GetProperty("details").GetProperty("size").GetInt64());
        Assert.Equal($"bytes */{Size}", response.Content.Headers.ContentRange?.ToString());
    }

    [Theory]
    [InlineData("items=0-1")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=0-1,3-4")]
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("bytes=abc")]
    [InlineData("bytes= 0-1")]
    [InlineData("bytes=1-2-3")]
    public async Task ARangeThatIsNotOneByteRangeIsIgnoredAndAllOfTheArtifactServed(string range)
    {
        using var response = await SendAsync(Client, _path, range);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bytes, await response.Content.ReadAsByteArrayAsync());
        Assert.Null(response.Content.Headers.ContentRange);
    }

    [Fact]
    public async Task IfRangeServesTheRangeOnlyWhileTheArtifactIsThatVersion()
    {
        using var current = await SendAsync(Client, _path, "bytes=0-9", _etag);
        using var stale = await SendAsync(Client, _path, "bytes=0-9", "\"0x8D000000000000\"");
        using var staleAndPastTheEnd = await SendAsync(Client, _path, "bytes=20000-", "\"0x8D000000000000\"");

        Assert.Equal(HttpStatusCode.PartialContent, current.StatusCode);
        Assert.Equal(_bytes[..10], await current.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(_bytes, await stale.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, staleAndPastTheEnd.StatusCode);
    }

    [Fact]
    public async Task AnEmptyArtifactHasNoRangeToServe()
    {
        var path = _path.Replace("data.bin", "empty.bin", StringComparison.Ordinal);
        await ApiAssert.JsonAsync(await Client.PutAsync(path, new ByteArrayContent([])), HttpStatusCode.Created);

        using var whole = await SendAsync(Client, path, null);
        using var open = await SendAsync(Client, path, "bytes=0-");
        using var suffix = await SendAsync(Client, path, "bytes=-5");

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Empty(await whole.Content.ReadAsByteArrayAsync());
        await ApiAssert.ErrorAsync(open, HttpStatusCode.RequestedRangeNotSatisfiable, "RANGE_NOT_SATISFIABLE");
        await ApiAssert.ErrorAsync(suffix, HttpStatusCode.RequestedRangeNotSatisfiable, "RANGE_NOT_SATISFIABLE");
    }
}
