using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Tests.Storage;

public sealed class TablePagingTests : TableTestBase
{
    private const int Partitions = 3;
    private const int RowsPerPartition = 400;

    [Fact]
    public async Task Paging_across_more_than_a_thousand_rows_returns_every_row_exactly_once_and_resumes_from_a_token()
    {
        var expected = await InsertRowsAsync();

        var pages = await ReadPagesAsync(Table.QueryPagesAsync());

        Assert.True(pages.Count >= 2, $"expected the service to split {expected.Count} rows into pages, got {pages.Count}");
        Assert.All(pages, p => Assert.InRange(p.Entities.Count, 0, 1000));
        Assert.All(pages[..^1], p => Assert.NotNull(p.ContinuationToken));
        Assert.Null(pages[^1].ContinuationToken);
        var keys = pages.SelectMany(p => p.Entities).Select(e => (e.PartitionKey, e.RowKey)).ToList();
        Assert.Equal(expected, keys);

        var resumed = await ReadPagesAsync(Table.QueryPagesAsync(continuationToken: pages[0].ContinuationToken));
        Assert.Equal(keys.Skip(pages[0].Entities.Count), resumed.SelectMany(p => p.Entities).Select(e => (e.PartitionKey, e.RowKey)));
    }

    [Fact]
    public async Task Small_pages_with_filter_and_select_chain_through_tokens_passed_back_one_page_at_a_time()
    {
        var expected = await InsertRowsAsync();
        var filter = TableFilter.Create($"N lt {RowsPerPartition / 2}");
        var wanted = expected.Where(k => int.Parse(k.RowKey[1..], System.Globalization.CultureInfo.InvariantCulture) < RowsPerPartition / 2).ToList();

        var seen = new List<(string, string)>();
        string? token = null;
        var requests = 0;
        do
        {
            await using var pages = Table.QueryPagesAsync(filter, ["N"], pageSize: 150, continuationToken: token).GetAsyncEnumerator();
            Assert.True(await pages.MoveNextAsync());
            var page = pages.Current;
            Assert.InRange(page.Entities.Count, 0, 150);
            Assert.All(page.Entities, e => Assert.Equal(["N"], e.Properties.Keys));
            seen.AddRange(page.Entities.Select(e => (e.PartitionKey, e.RowKey)));
            token = page.ContinuationToken;
            requests++;
        }
        while (token is not null);

        Assert.Equal(wanted, seen);
        Assert.True(requests >= wanted.Count / 150);
    }

    [Fact]
    public async Task Query_async_follows_every_continuation()
    {
        var expected = await InsertRowsAsync();

        var rows = await QueryAllAsync();

        Assert.Equal(expected, rows.Select(e => (e.PartitionKey, e.RowKey)));
    }

    private async Task<List<(string PartitionKey, string RowKey)>> InsertRowsAsync()
    {
        var keys = new List<(string, string)>();
        for (var p = 0; p < Partitions; p++)
        {
            var partition = $"p{p}";
            var rows = Enumerable.Range(0, RowsPerPartition).Select(i => new TableEntity(partition, $"r{i:D4}") { { "N", i } }).ToList();
            foreach (var chunk in rows.Chunk(100))
            {
                await Table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList());
            }
            keys.AddRange(rows.Select(r => (r.PartitionKey, r.RowKey)));
        }
        return keys;
    }

    private static async Task<List<TablePage>> ReadPagesAsync(IAsyncEnumerable<TablePage> source)
    {
        var pages = new List<TablePage>();
        await foreach (var page in source)
        {
            pages.Add(page);
        }
        return pages;
    }
}
