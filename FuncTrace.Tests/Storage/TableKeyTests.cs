using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Tests.Storage;

public sealed class TableKeyTests : TableTestBase
{
    public static TheoryData<string> EdgeCaseKeys => new()
    {
        "emoji 😀🎉",
        "漢字かなカナ한글",
        "with  spaces ",
        "it's a 'quoted' key''",
        "100% %25 %2F",
        "a+b c",
        "a&b=c;d",
        "(parens),comma:colon@at!bang*star$dollar",
        "dots...",
        "",
        new string('k', 512),
        string.Concat(Enumerable.Repeat("😀", 256)),
    };

    [Theory]
    [MemberData(nameof(EdgeCaseKeys))]
    public async Task An_edge_case_key_round_trips_through_insert_point_read_query_and_delete(string key)
    {
        await Table.AddEntityAsync(new TableEntity(key, key) { { "Key", key } });
        await Table.AddEntityAsync(new TableEntity(key, "neighbour"));
        await Table.AddEntityAsync(new TableEntity("neighbour", key));

        var read = await Table.GetEntityIfExistsAsync(key, key);
        var queried = Assert.Single(await QueryAllAsync(TableFilter.Create($"PartitionKey eq {key} and RowKey eq {key}")));
        var wholePartition = await QueryAllAsync(TableFilter.Create($"PartitionKey eq {key}"));

        Assert.Equal(key, read?.PartitionKey);
        Assert.Equal(key, read?.RowKey);
        Assert.Equal(key, read?.GetString("Key"));
        Assert.Equal(key, queried.RowKey);
        Assert.Equal(key, queried.GetString("Key"));
        Assert.Equal(2, wholePartition.Count);

        await Table.DeleteEntityAsync(key, key, read!.ETag);

        Assert.Null(await Table.GetEntityIfExistsAsync(key, key));
        Assert.Equal(2, (await QueryAllAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(EdgeCaseKeys))]
    public async Task An_edge_case_key_works_in_upsert_update_and_transactions(string key)
    {
        var etag = await Table.UpsertEntityAsync(new TableEntity(key, key) { { "N", 1 } });
        await Table.UpdateEntityAsync(new TableEntity(key, key) { { "N", 2 } }, etag, TableUpdateMode.Merge);
        await Table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpsertMerge, new TableEntity(key, key) { { "M", 3 } }),
            new(TableTransactionActionType.Add, new TableEntity(key, "second")),
        ]);

        var row = await Table.GetEntityIfExistsAsync(key, key);
        Assert.Equal(2, row?.GetInt32("N"));
        Assert.Equal(3, row?.GetInt32("M"));
        Assert.NotNull(await Table.GetEntityIfExistsAsync(key, "second"));
    }

    public static TheoryData<string> InvalidKeys => new()
    {
        "a/b",
        "a\\b",
        "a#b",
        "a?b",
        "tab\t",
        "nul\0",
        "newline\n",
        "del\u007f",
        "c1\u0085",
        new string('k', 513),
    };

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task An_invalid_key_is_rejected_with_argument_exception_before_any_request(string key)
    {
        var client = OfflineClient(out var transport);

        await Assert.ThrowsAsync<ArgumentException>(() => client.AddEntityAsync(new TableEntity(key, "r")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.AddEntityAsync(new TableEntity("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpsertEntityAsync(new TableEntity("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => client.UpdateEntityAsync(new TableEntity(key, "r"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetEntityIfExistsAsync("p", key));
        await Assert.ThrowsAsync<ArgumentException>(() => client.DeleteEntityAsync(key, "r"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitTransactionAsync(
            [new(TableTransactionActionType.Add, new TableEntity("p", key))]));

        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public void Key_validation_explains_what_is_wrong()
    {
        Assert.False(TableKeys.IsValid(null, out var reason));
        Assert.Equal("is null", reason);
        Assert.False(TableKeys.IsValid(new string('k', 513), out reason));
        Assert.Contains("512", reason, StringComparison.Ordinal);
        Assert.True(TableKeys.IsValid(new string('k', 512), out reason));
        Assert.Null(reason);
    }
}
