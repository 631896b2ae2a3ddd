using Azure;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Tests.Storage;

public sealed class TableTransactionTests : TableTestBase
{
    private static TableTransactionAction Add(string partitionKey, string rowKey, string name = "x") =>
        new(TableTransactionActionType.Add, new TableEntity(partitionKey, rowKey) { { "Name", name } });

    [Fact]
    public async Task A_transaction_of_exactly_100_actions_writes_every_row_and_returns_their_etags()
    {
        var actions = Enumerable.Range(0, 100).Select(i => Add("p", $"r{i:D3}")).ToList();

        var etags = await Table.SubmitTransactionAsync(actions);

        Assert.Equal(100, etags.Count);
        var rows = await QueryAllAsync();
        Assert.Equal(actions.Select(a => a.Entity.RowKey), rows.Select(r => r.RowKey));
        Assert.Equal(etags, rows.Select(r => r.ETag));
    }

    [Fact]
    public async Task A_transaction_of_101_actions_is_rejected_before_any_request()
    {
        var client = OfflineClient(out var transport);
        var actions = Enumerable.Range(0, 101).Select(i => Add("p", $"r{i:D3}")).ToList();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitTransactionAsync(actions));

        Assert.Contains("100", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task An_empty_transaction_is_rejected_before_any_request()
    {
        var client = OfflineClient(out var transport);

        await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitTransactionAsync([]));

        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task A_transaction_spanning_two_partitions_is_rejected_before_any_request()
    {
        var client = OfflineClient(out var transport);

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => client.SubmitTransactionAsync([Add("p1", "r1"), Add("p2", "r2")]));

        Assert.Contains("PartitionKey", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task A_transaction_touching_one_row_twice_is_rejected_before_any_request()
    {
        var client = OfflineClient(out var transport);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitTransactionAsync(
            [Add("p", "r1"), new(TableTransactionActionType.Delete, new TableEntity("p", "r1"))]));

        Assert.Contains("r1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, transport.Requests);
    }

    [Fact]
    public async Task A_transaction_the_service_refuses_at_index_3_reports_that_index_and_writes_nothing()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r3") { { "Name", "original" } });
        var actions = Enumerable.Range(0, 6).Select(i => Add("p", $"r{i}", "from transaction")).ToList();

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => Table.SubmitTransactionAsync(actions));

        Assert.Equal(3, error.FailedActionIndex);
        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        var row = Assert.Single(await QueryAllAsync());
        Assert.Equal("r3", row.RowKey);
        Assert.Equal("original", row.GetString("Name"));
    }

    [Fact]
    public async Task A_transaction_with_a_stale_etag_fails_with_412_at_that_index_and_writes_nothing()
    {
        var stale = await Table.AddEntityAsync(new TableEntity("p", "r1") { { "N", 1 } });
        await Table.UpsertEntityAsync(new TableEntity("p", "r1") { { "N", 2 } });

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => Table.SubmitTransactionAsync(
        [
            Add("p", "r0"),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "r1") { { "N", 3 } }, stale),
        ]));

        Assert.Equal(1, error.FailedActionIndex);
        Assert.Equal(412, error.Status);
        Assert.Null(await Table.GetEntityIfExistsAsync("p", "r0"));
        Assert.Equal(2, (await Table.GetEntityIfExistsAsync("p", "r1"))?.GetInt32("N"));
    }

    [Fact]
    public async Task A_transaction_mixing_every_action_type_applies_each_with_its_semantics()
    {
        await Table.AddEntityAsync(new TableEntity("p", "merge") { { "Kept", "yes" }, { "N", 1 } });
        await Table.AddEntityAsync(new TableEntity("p", "replace") { { "Dropped", "yes" }, { "N", 1 } });
        var updateEtag = await Table.AddEntityAsync(new TableEntity("p", "update") { { "Dropped", "yes" }, { "N", 1 } });
        var updateMergeEtag = await Table.AddEntityAsync(new TableEntity("p", "updatemerge") { { "Kept", "yes" }, { "N", 1 } });
        var deleteEtag = await Table.AddEntityAsync(new TableEntity("p", "delete"));
        await Table.AddEntityAsync(new TableEntity("p", "deleteany"));

        var etags = await Table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "add") { { "N", 2 } }),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "merge") { { "N", 2 } }),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "replace") { { "N", 2 } }),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "update") { { "N", 2 } }, updateEtag),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "updatemerge") { { "N", 2 } }, updateMergeEtag),
            new(TableTransactionActionType.Delete, new TableEntity("p", "delete"), deleteEtag),
            new(TableTransactionActionType.Delete, new TableEntity("p", "deleteany")),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "upsertnew") { { "N", 2 } }),
        ]);

        var rows = (await QueryAllAsync()).ToDictionary(r => r.RowKey);
        Assert.Equal(["add", "merge", "replace", "update", "updatemerge", "upsertnew"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(rows.Values, r => Assert.Equal(2, r.GetInt32("N")));
        Assert.Equal("yes", rows["merge"].GetString("Kept"));
        Assert.Equal("yes", rows["updatemerge"].GetString("Kept"));
        Assert.False(rows["replace"].Properties.ContainsKey("Dropped"));
        Assert.False(rows["update"].Properties.ContainsKey("Dropped"));

        Assert.Equal(8, etags.Count);
        Assert.Equal(rows["add"].ETag, etags[0]);
        Assert.Equal(rows["merge"].ETag, etags[1]);
        Assert.Equal(rows["replace"].ETag, etags[2]);
        Assert.Equal(rows["update"].ETag, etags[3]);
        Assert.Equal(rows["updatemerge"].ETag, etags[4]);
        Assert.Equal(default, etags[5]);
        Assert.Equal(default, etags[6]);
        Assert.Equal(rows["upsertnew"].ETag, etags[7]);
    }

    [Fact]
    public async Task A_transaction_delete_of_a_missing_row_fails_the_whole_transaction()
    {
        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => Table.SubmitTransactionAsync(
        [
            Add("p", "r0"),
            new(TableTransactionActionType.Delete, new TableEntity("p", "missing"), ETag.All),
        ]));

        Assert.Equal(404, error.Status);
        Assert.Equal(1, error.FailedActionIndex);
        Assert.Empty(await QueryAllAsync());
    }

    [Fact]
    public async Task A_transaction_carries_typed_properties_and_unicode_intact()
    {
        var id = Guid.NewGuid();
        await Table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "r😀") { { "L", 5_000_000_000L }, { "D", 2.0 }, { "G", id }, { "S", "漢字 \"quoted\"\r\n--batch_boundary" } }),
        ]);

        var row = await Table.GetEntityIfExistsAsync("p", "r😀");

        Assert.Equal(5_000_000_000L, Assert.IsType<long>(row?["L"]));
        Assert.Equal(2.0, Assert.IsType<double>(row?["D"]));
        Assert.Equal(id, row?.GetGuid("G"));
        Assert.Equal("漢字 \"quoted\"\r\n--batch_boundary", row?.GetString("S"));
    }
}
