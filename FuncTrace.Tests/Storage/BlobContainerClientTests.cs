using System.Text;
using Azure;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Blobs;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Storage;

public sealed class BlobContainerClientTests : IAsyncLifetime
{
    private const long FiftyMiB = 50L * 1024 * 1024;
    private readonly BlobContainerClient _container = new(TestStorage.Account, TestStorage.UniqueName("blobs"));

    public async Task InitializeAsync() => Assert.True(await _container.CreateIfNotExistsAsync());

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task TwoUploadsOfOneNameAtOnceLeaveOneWholeBodyNeverAMix()
    {
        var container = new BlobContainerClient(TestStorage.Account, _container.Name) { BlockSize = 1000 };
        var first = Enumerable.Repeat((byte)'a', 10_000).ToArray();
        var second = Enumerable.Repeat((byte)'b', 10_000).ToArray();

        var outcomes = await Task.WhenAll(
            UploadOrConflictAsync(container, first),
            UploadOrConflictAsync(container, second));

        Assert.Contains(true, outcomes);
        using var download = await container.DownloadAsync("raced.bin");
        using var stored = new MemoryStream();
        await download!.Content.CopyToAsync(stored);
        Assert.True(stored.ToArray().SequenceEqual(first) || stored.ToArray().SequenceEqual(second), "The blob mixes blocks of both uploads.");
    }

    /// <summary>True when the upload committed; false when it lost the race with a clear conflict.</summary>
    private static async Task<bool> UploadOrConflictAsync(BlobContainerClient container, byte[] body)
    {
        try
        {
            await container.UploadAsync("raced.bin", new MemoryStream(body), "application/octet-stream");
            return true;
        }
        catch (StorageConflictException)
        {
            return false;
        }
    }

    [Fact]
    public async Task FiftyMebibyteBlobFromANonSeekableStreamDownloadsAsAStreamWithTheSameSha256()
    {
        var size = FiftyMiB + 12345; // not a multiple of the block size, so the last block is short
        await using (var source = new PseudoRandomStream(size, seed: 42))
        {
            var uploaded = await _container.UploadAsync("big/random.bin", source, "application/octet-stream");
            Assert.Equal(size, uploaded.Size);
            Assert.NotEqual(default, uploaded.ETag);
        }

        using var download = await _container.DownloadAsync("big/random.bin");
        Assert.NotNull(download);
        Assert.Equal(size, download.ContentLength);
        Assert.Equal(size, download.TotalLength);
        Assert.Equal("application/octet-stream", download.ContentType);
        Assert.IsNotType<MemoryStream>(download.Content);

        var (actualHash, actualLength) = await StreamHash.Sha256Async(download.Content);
        var (expectedHash, _) = await StreamHash.Sha256Async(new PseudoRandomStream(size, seed: 42));
        Assert.Equal(size, actualLength);
        Assert.Equal(expectedHash, actualHash);
    }

    [Theory]
    [InlineData(999)]  // shorter than a block: one Put Blob
    [InlineData(1000)] // exactly one block: staged, then committed
    [InlineData(2500)] // three blocks, the last one short
    public async Task UploadsOfAnySizeAroundTheBlockSizeKeepBytesContentTypeAndMetadata(int size)
    {
        var container = new BlobContainerClient(TestStorage.Account, _container.Name) { BlockSize = 1000 };
        await using var source = new PseudoRandomStream(size, seed: 7);
        var metadata = new Dictionary<string, string> { ["origin"] = "test" };

        var uploaded = await container.UploadAsync("sized.bin", source, "image/png", metadata);

        Assert.Equal(size, uploaded.Size);
        var properties = await container.GetPropertiesAsync("sized.bin");
        Assert.NotNull(properties);
        Assert.Equal(size, properties.ContentLength);
        Assert.Equal("image/png", properties.ContentType);
        Assert.Equal(uploaded.ETag, properties.ETag);
        Assert.Equal("test", properties.Metadata["origin"]);
        using var download = await container.DownloadAsync("sized.bin");
        var expected = await StreamHash.Sha256Async(new PseudoRandomStream(size, seed: 7));
        Assert.Equal(expected, await StreamHash.Sha256Async(download!.Content));
    }

    [Fact]
    public async Task SmallBlobRoundTripsItsTextAndContentType()
    {
        await _container.UploadAsync("notes/hello.txt", Utf8("héllo, blob"), "text/plain; charset=utf-8");

        using var download = await _container.DownloadAsync("notes/hello.txt");

        Assert.NotNull(download);
        Assert.Equal("text/plain; charset=utf-8", download.ContentType);
        Assert.Equal(Encoding.UTF8.GetByteCount("héllo, blob"), download.ContentLength);
        Assert.Equal("héllo, blob", await ReadText(download));
    }

    [Fact]
    public async Task EmptyStreamUploadsAnEmptyBlob()
    {
        var uploaded = await _container.UploadAsync("empty", Stream.Null, contentType: null);

        Assert.Equal(0, uploaded.Size);
        using var download = await _container.DownloadAsync("empty");
        Assert.NotNull(download);
        Assert.Equal(0, download.TotalLength);
        Assert.Equal("", await ReadText(download));
    }

    [Fact]
    public async Task UploadingUnderAnExistingNameReplacesTheBlob()
    {
        var first = await _container.UploadAsync("same", Utf8("first version"), "text/plain", new Dictionary<string, string> { ["v"] = "1" });
        var second = await _container.UploadAsync("same", Utf8("second"), "application/json");

        Assert.NotEqual(first.ETag, second.ETag);
        using var download = await _container.DownloadAsync("same");
        Assert.Equal("second", await ReadText(download!));
        Assert.Equal("application/json", download!.ContentType);
        Assert.Empty(download.Properties.Metadata);
    }

    [Fact]
    public async Task RangeDownloadReturnsOnlyTheRequestedBytesAndTheTotalLength()
    {
        await _container.UploadAsync("alphabet.txt", Utf8("abcdefghijklmnopqrstuvwxyz"), "text/plain");

        using var middle = await _container.DownloadAsync("alphabet.txt", new HttpRange(10, 5));
        using var tail = await _container.DownloadAsync("alphabet.txt", new HttpRange(20));

        Assert.Equal("klmno", await ReadText(middle!));
        Assert.Equal(5, middle!.ContentLength);
        Assert.Equal(26, middle.TotalLength);
        Assert.Equal("uvwxyz", await ReadText(tail!));
        Assert.Equal(26, tail!.TotalLength);
    }

    [Fact]
    public async Task RangeStartingPastTheEndFailsWith416()
    {
        await _container.UploadAsync("short.txt", Utf8("short"), "text/plain");

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _container.DownloadAsync("short.txt", new HttpRange(100, 10)));

        Assert.Equal(416, error.Status);
        Assert.Equal("InvalidRange", error.ErrorCode);
    }

    [Fact]
    public async Task PropertiesReportSizeContentTypeETagLastModifiedAndMetadata()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var uploaded = await _container.UploadAsync(
            "props.json", Utf8("{\"a\":1}"), "application/json", new Dictionary<string, string> { ["Tenant"] = "acme", ["kind"] = "trace" });

        var properties = await _container.GetPropertiesAsync("props.json");

        Assert.NotNull(properties);
        Assert.Equal(7, properties.ContentLength);
        Assert.Equal("application/json", properties.ContentType);
        Assert.Equal(uploaded.ETag, properties.ETag);
        Assert.InRange(properties.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("acme", properties.Metadata["tenant"]);
        Assert.Equal("trace", properties.Metadata["kind"]);
    }

    [Fact]
    public async Task MetadataNamesWithUnderscoresAndDigitsAreSignedInTheServicesHeaderOrder()
    {
        // Ordinal order puts "i0" before "i_"; the service sorts '_' before digits and letters.
        var metadata = new Dictionary<string, string> { ["i0"] = "zero", ["i_"] = "underscore", ["ia"] = "a", ["I_B"] = "b" };

        await _container.UploadAsync("signed.txt", Utf8("x"), "text/plain", metadata);

        var properties = await _container.GetPropertiesAsync("signed.txt");
        Assert.Equal("zero", properties!.Metadata["i0"]);
        Assert.Equal("underscore", properties.Metadata["i_"]);
        Assert.Equal("b", properties.Metadata["i_b"]);
    }

    [Fact]
    public async Task MissingBlobHasNoPropertiesAndNoDownload()
    {
        Assert.Null(await _container.GetPropertiesAsync("nope.txt"));
        Assert.Null(await _container.DownloadAsync("nope.txt"));
        Assert.Null(await _container.DownloadAsync("nope.txt", new HttpRange(0, 10)));
    }

    [Fact]
    public async Task BlobInAMissingContainerReadsAsMissing()
    {
        var missing = new BlobContainerClient(TestStorage.Account, TestStorage.UniqueName("missing"));

        Assert.Null(await missing.GetPropertiesAsync("a.txt"));
        Assert.Null(await missing.DownloadAsync("a.txt"));
        Assert.False(await missing.DeleteIfExistsAsync("a.txt"));
    }

    [Fact]
    public async Task DeletingABlobTwiceIsNotAnError()
    {
        await _container.UploadAsync("doomed.txt", Utf8("bye"), "text/plain");

        Assert.True(await _container.DeleteIfExistsAsync("doomed.txt"));
        Assert.False(await _container.DeleteIfExistsAsync("doomed.txt"));
        Assert.Null(await _container.GetPropertiesAsync("doomed.txt"));
    }

    [Fact]
    public async Task ListingWithAPrefixFollowsNextMarkerAcrossPagesInNameOrder()
    {
        var expected = Enumerable.Range(0, 7).Select(i => $"logs/2026/{i:D2}.log").ToList();
        foreach (var name in expected.AsEnumerable().Reverse().Concat(["logs-other.txt", "other/logs/x.log", "a.txt"]))
        {
            await _container.UploadAsync(name, Utf8(name), "text/plain", new Dictionary<string, string> { ["name"] = name.Replace('/', '_') });
        }

        var listed = await ToListAsync(_container.ListAsync("logs/", pageSize: 2));

        Assert.Equal(expected, listed.Select(b => b.Name));
        Assert.All(listed, b => Assert.Equal(b.Name.Length, b.Properties.ContentLength));
        Assert.All(listed, b => Assert.Equal("text/plain", b.Properties.ContentType));
        Assert.All(listed, b => Assert.Equal(b.Name.Replace('/', '_'), b.Properties.Metadata["name"]));
        var everything = await ToListAsync(_container.ListAsync(pageSize: 3));
        Assert.Equal(10, everything.Count);
    }

    [Fact]
    public async Task ListedETagsMatchTheETagsOfUploads()
    {
        var uploaded = await _container.UploadAsync("tagged.txt", Utf8("x"), "text/plain");

        var listed = Assert.Single(await ToListAsync(_container.ListAsync("tagged")));

        Assert.Equal(uploaded.ETag, listed.Properties.ETag);
    }

    [Fact]
    public async Task NamesWithSpacesReservedCharactersAndUnicodeRoundTrip()
    {
        const string name = "dir one/ünïcode file #1 + 50% ?&=.txt";
        await _container.UploadAsync(name, Utf8("odd name"), "text/plain");

        using var download = await _container.DownloadAsync(name);
        var listed = await ToListAsync(_container.ListAsync("dir one/"));

        Assert.Equal("odd name", await ReadText(download!));
        Assert.Equal(name, Assert.Single(listed).Name);
        Assert.True(await _container.DeleteIfExistsAsync(name));
    }

    [Fact]
    public async Task ListingAMissingContainerFailsWith404ContainerNotFound()
    {
        var missing = new BlobContainerClient(TestStorage.Account, TestStorage.UniqueName("missing"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ToListAsync(missing.ListAsync()));

        Assert.Equal(404, error.Status);
        Assert.Equal("ContainerNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task CreatingAndDeletingAContainerTwiceIsNotAnError()
    {
        var container = new BlobContainerClient(TestStorage.Account, TestStorage.UniqueName("twice"));

        Assert.True(await container.CreateIfNotExistsAsync());
        Assert.False(await container.CreateIfNotExistsAsync());
        Assert.True(await container.DeleteIfExistsAsync());
        Assert.False(await container.DeleteIfExistsAsync());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("double--hyphen")]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("under_score")]
    public void InvalidContainerNamesAreRejectedBeforeAnyRequest(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new BlobContainerClient(TestStorage.Account, name));

        Assert.Equal("containerName", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ends-with-dot.")]
    [InlineData("ends/with/slash/")]
    [InlineData("a/../b")]
    public async Task InvalidBlobNamesAreRejectedBeforeAnyRequest(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _container.UploadAsync(name, Utf8("x"), "text/plain"));
        await Assert.ThrowsAsync<ArgumentException>(() => _container.GetPropertiesAsync(name));
    }

    [Fact]
    public async Task BlobNameLongerThan1024CharactersIsRejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _container.DownloadAsync(new string('a', 1025)));
        await _container.UploadAsync(new string('a', 1024), Utf8("longest name"), "text/plain");
        Assert.NotNull(await _container.GetPropertiesAsync(new string('a', 1024)));
    }

    [Fact]
    public async Task MetadataWithANameThatIsNotAnIdentifierIsRejected()
    {
        var metadata = new Dictionary<string, string> { ["not valid"] = "x" };

        await Assert.ThrowsAsync<ArgumentException>(() => _container.UploadAsync("m.txt", Utf8("x"), "text/plain", metadata));
    }

    [Fact]
    public async Task WrongAccountKeyFailsWith403AndAnAuthErrorCode()
    {
        var container = new BlobContainerClient(WrongKeyAccount.Create(), _container.Name);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => container.UploadAsync("x.txt", Utf8("x"), "text/plain"));

        Assert.Equal(403, error.Status);
        Assert.NotNull(error.ErrorCode);
        Assert.Contains(error.ErrorCode, WrongKeyAccount.ErrorCodes);
    }

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task<string> ReadText(BlobDownload download)
    {
        using var reader = new StreamReader(download.Content, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }
}
