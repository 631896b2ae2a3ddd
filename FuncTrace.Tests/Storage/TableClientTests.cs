using Azure;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Storage;

public sealed class TableClientTests : TableTestBase
{
    [Fact]
    public async Task Create_if_not_exists_twice_succeeds_and_the_table_is_usable()
    {
        await Table.CreateIfNotExistsAsync();
        await Table.CreateIfNotExistsAsync();

        await Table.AddEntityAsync(new TableEntity("p", "r") { { "Name", "x" } });
        Assert.Equal("x", (await Table.GetEntityIfExistsAsync("p", "r"))?.GetString("Name"));
    }

    [Fact]
    public async Task Delete_if_exists_twice_succeeds_and_removes_the_table()
    {
        await Table.DeleteIfExistsAsync();
        await Table.DeleteIfExistsAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Table.AddEntityAsync(new TableEntity("p", "r")));
        Assert.Equal(404, error.Status);
        Assert.Equal("TableNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Insert_returns_the_etag_a_point_read_sees()
    {
        var etag = await Table.AddEntityAsync(new TableEntity("p", "r") { { "Name", "x" } });

        var row = await Table.GetEntityIfExistsAsync("p", "r");

        Assert.NotNull(row);
        Assert.NotEqual(default, etag);
        Assert.Equal(etag, row.ETag);
        Assert.NotNull(row.Timestamp);
        Assert.Equal("p", row.PartitionKey);
        Assert.Equal("r", row.RowKey);
    }

    [Fact]
    public async Task Insert_of_an_existing_row_throws_a_409_conflict_and_keeps_the_first_row()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "Name", "first" } });

        var error = await Assert.ThrowsAsync<StorageConflictException>(
            () => Table.AddEntityAsync(new TableEntity("p", "r") { { "Name", "second" } }));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.False(error.IsPreconditionFailed);
        Assert.Equal("first", (await Table.GetEntityIfExistsAsync("p", "r"))?.GetString("Name"));
    }

    [Fact]
    public async Task Upsert_inserts_a_missing_row()
    {
        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "Name", "x" } }, TableUpdateMode.Merge);

        Assert.Equal("x", (await Table.GetEntityIfExistsAsync("p", "r"))?.GetString("Name"));
    }

    [Fact]
    public async Task Upsert_replace_drops_the_properties_the_new_entity_does_not_mention()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "Kept", "old" }, { "Name", "old" } });

        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "Name", "new" } }, TableUpdateMode.Replace);

        var row = await Table.GetEntityIfExistsAsync("p", "r");
        Assert.NotNull(row);
        Assert.Equal("new", row.GetString("Name"));
        Assert.False(row.Properties.ContainsKey("Kept"));
    }

    [Fact]
    public async Task Upsert_merge_keeps_the_properties_the_new_entity_does_not_mention()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "Kept", "old" }, { "Name", "old" } });

        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "Name", "new" }, { "Added", 7 } }, TableUpdateMode.Merge);

        var row = await Table.GetEntityIfExistsAsync("p", "r");
        Assert.NotNull(row);
        Assert.Equal("new", row.GetString("Name"));
        Assert.Equal("old", row.GetString("Kept"));
        Assert.Equal(7, row.GetInt32("Added"));
    }

    [Fact]
    public async Task Update_with_the_current_etag_succeeds_and_returns_a_new_etag()
    {
        var first = await Table.AddEntityAsync(new TableEntity("p", "r") { { "Count", 1 } });

        var second = await Table.UpdateEntityAsync(new TableEntity("p", "r") { { "Count", 2 } }, first);

        Assert.NotEqual(first, second);
        var row = await Table.GetEntityIfExistsAsync("p", "r");
        Assert.Equal(2, row?.GetInt32("Count"));
        Assert.Equal(second, row?.ETag);
    }

    [Fact]
    public async Task Update_merge_with_the_current_etag_keeps_other_properties()
    {
        var etag = await Table.AddEntityAsync(new TableEntity("p", "r") { { "Kept", "yes" }, { "Count", 1 } });

        await Table.UpdateEntityAsync(new TableEntity("p", "r") { { "Count", 2 } }, etag, TableUpdateMode.Merge);

        var row = await Table.GetEntityIfExistsAsync("p", "r");
        Assert.Equal(2, row?.GetInt32("Count"));
        Assert.Equal("yes", row?.GetString("Kept"));
    }

    [Fact]
    public async Task Update_with_a_stale_etag_throws_precondition_failed_and_changes_nothing()
    {
        var stale = await Table.AddEntityAsync(new TableEntity("p", "r") { { "Count", 1 } });
        await Table.UpdateEntityAsync(new TableEntity("p", "r") { { "Count", 2 } }, stale);

        var error = await Assert.ThrowsAsync<StorageConflictException>(
            () => Table.UpdateEntityAsync(new TableEntity("p", "r") { { "Count", 3 } }, stale));

        Assert.True(error.IsPreconditionFailed);
        Assert.Equal(412, error.Status);
        Assert.Equal("UpdateConditionNotSatisfied", error.ErrorCode);
        Assert.Equal(2, (await Table.GetEntityIfExistsAsync("p", "r"))?.GetInt32("Count"));
    }

    [Fact]
    public async Task Update_of_a_missing_row_throws_not_found()
    {
        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => Table.UpdateEntityAsync(new TableEntity("p", "missing") { { "Count", 1 } }, ETag.All));

        Assert.Equal(404, error.Status);
        Assert.Equal("ResourceNotFound", error.ErrorCode);
    }

    [Fact]
    public async Task Delete_with_the_current_etag_removes_the_row()
    {
        var etag = await Table.AddEntityAsync(new TableEntity("p", "r"));

        await Table.DeleteEntityAsync("p", "r", etag);

        Assert.Null(await Table.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_throws_precondition_failed_and_keeps_the_row()
    {
        var stale = await Table.AddEntityAsync(new TableEntity("p", "r") { { "Count", 1 } });
        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "Count", 2 } });

        var error = await Assert.ThrowsAsync<StorageConflictException>(() => Table.DeleteEntityAsync("p", "r", stale));

        Assert.True(error.IsPreconditionFailed);
        Assert.NotNull(await Table.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task Delete_of_a_missing_row_is_a_no_op()
    {
        await Table.AddEntityAsync(new TableEntity("p", "other"));

        await Table.DeleteEntityAsync("p", "missing");

        Assert.Single(await QueryAllAsync());
    }

    [Fact]
    public async Task Point_read_and_delete_in_a_missing_table_throw_table_not_found_instead_of_looking_like_a_missing_row()
    {
        var missing = new TableClient(TestStorage.Account, TestStorage.UniqueName("t"));

        var read = await Assert.ThrowsAsync<RequestFailedException>(() => missing.GetEntityIfExistsAsync("p", "r"));
        var delete = await Assert.ThrowsAsync<RequestFailedException>(() => missing.DeleteEntityAsync("p", "r"));

        Assert.Equal("TableNotFound", read.ErrorCode);
        Assert.Equal("TableNotFound", delete.ErrorCode);
    }

    [Fact]
    public async Task A_null_property_is_not_stored_and_a_merge_with_null_keeps_the_stored_value()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "Kept", "yes" }, { "Missing", null } });
        await Table.UpsertEntityAsync(new TableEntity("p", "r") { { "Kept", null }, { "N", 1 } }, TableUpdateMode.Merge);

        var row = await Table.GetEntityIfExistsAsync("p", "r");

        Assert.NotNull(row);
        Assert.Equal("yes", row.GetString("Kept"));
        Assert.False(row.Properties.ContainsKey("Missing"));
        Assert.Equal(1, row.GetInt32("N"));
    }

    [Fact]
    public async Task Point_read_of_a_missing_row_returns_null()
    {
        Assert.Null(await Table.GetEntityIfExistsAsync("p", "missing"));
    }

    [Fact]
    public async Task Point_read_with_select_returns_only_the_selected_properties_and_the_keys()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "A", "a" }, { "B", 2 }, { "C", true } });

        var row = await Table.GetEntityIfExistsAsync("p", "r", ["A", "B"]);

        Assert.NotNull(row);
        Assert.Equal("p", row.PartitionKey);
        Assert.Equal("r", row.RowKey);
        Assert.NotEqual(default, row.ETag);
        Assert.Equal(["A", "B"], row.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, row.GetInt32("B"));
    }

    [Fact]
    public async Task Query_with_a_filter_returns_only_the_matching_rows()
    {
        for (var i = 0; i < 10; i++)
        {
            await Table.AddEntityAsync(new TableEntity(i % 2 == 0 ? "even" : "odd", $"r{i}") { { "N", i } });
        }

        var rows = await QueryAllAsync(TableFilter.Create($"PartitionKey eq {"even"} and N ge {4}"));

        Assert.Equal(["r4", "r6", "r8"], rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.NotEqual(default, r.ETag));
    }

    [Fact]
    public async Task Query_with_select_returns_only_the_selected_properties_and_the_keys()
    {
        await Table.AddEntityAsync(new TableEntity("p", "r") { { "A", "a" }, { "B", 2 }, { "C", true } });

        var row = Assert.Single(await QueryAllAsync(select: ["C"]));

        Assert.Equal("p", row.PartitionKey);
        Assert.Equal("r", row.RowKey);
        Assert.Equal(["C"], row.Properties.Keys);
        Assert.Equal(true, row.GetBoolean("C"));
    }

    [Fact]
    public async Task Query_with_top_returns_pages_of_that_size_chained_by_tokens()
    {
        for (var i = 0; i < 7; i++)
        {
            await Table.AddEntityAsync(new TableEntity("p", $"r{i}"));
        }

        var pages = new List<TablePage>();
        await foreach (var page in Table.QueryPagesAsync(pageSize: 3))
        {
            pages.Add(page);
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.Entities.Count));
        Assert.NotNull(pages[0].ContinuationToken);
        Assert.NotNull(pages[1].ContinuationToken);
        Assert.Null(pages[2].ContinuationToken);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"r{i}"), pages.SelectMany(p => p.Entities).Select(e => e.RowKey));
    }

    [Fact]
    public async Task Query_of_an_empty_table_returns_one_empty_page_without_a_token()
    {
        var pages = new List<TablePage>();
        await foreach (var page in Table.QueryPagesAsync())
        {
            pages.Add(page);
        }

        var only = Assert.Single(pages);
        Assert.Empty(only.Entities);
        Assert.Null(only.ContinuationToken);
    }

    [Fact]
    public async Task Query_rejects_a_token_it_did_not_issue()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in Table.QueryPagesAsync(continuationToken: "not a token!"))
            {
            }
        });
    }

    [Fact]
    public async Task A_client_with_a_wrong_account_key_gets_403_with_an_error_code()
    {
        var account = TestStorage.Account;
        var wrongKey = Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var intruder = new TableClient(
            new StorageAccount(account.BlobEndpoint, account.QueueEndpoint, account.TableEndpoint,
                StorageCredential.FromSharedKey(StorageAccount.DevelopmentAccountName, wrongKey)),
            TableName);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => intruder.GetEntityIfExistsAsync("p", "r"));

        Assert.Equal(403, error.Status);
        Assert.NotNull(error.ErrorCode);
    }

    [Fact]
    public void A_table_name_the_service_would_refuse_is_rejected_up_front()
    {
        Assert.Throws<ArgumentException>(() => new TableClient(TestStorage.Account, "1abc"));
        Assert.Throws<ArgumentException>(() => new TableClient(TestStorage.Account, "ab"));
        Assert.Throws<ArgumentException>(() => new TableClient(TestStorage.Account, "has-dash"));
        Assert.Throws<ArgumentException>(() => new TableClient(TestStorage.Account, new string('a', 64)));
    }
}
