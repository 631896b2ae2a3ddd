using System.Collections.Concurrent;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FuncTrace.Tests.Storage;

/// <summary>
/// A read of a long range where the filter matches little: the table service answers page after page of nothing
/// with a continuation, as it does when it scans without finding. The read must stop and hand back a cursor.
/// </summary>
public sealed class RowRangeTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _filters = new();
    private ScriptedStorageServer? _server;

    public async Task InitializeAsync() => _server = await ScriptedStorageServer.StartAsync(async context =>
        {
            _filters.Enqueue(context.Request.Query["$filter"].ToString());
            context.Response.Headers["x-ms-continuation-NextPartitionKey"] = "tenant";
            context.Response.Headers["x-ms-continuation-NextRowKey"] = "p|0000000000000000500|next";
            context.Response.ContentType = "application/json;odata=minimalmetadata";
            await context.Response.WriteAsync("""{"value":[]}""");
        });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task AReadThatFindsNothingStopsAfterABoundedNumberOfPagesAndResumesWhereTheScanStopped()
    {
        var table = Client();

        var first = await RowRange.ReadAsync(table, "tenant", "p|", "p}", "EventType eq 'rare'", 50, null, CancellationToken.None);
        var pagesRead = _filters.Count;
        var second = await RowRange.ReadAsync(table, "tenant", "p|", "p}", "EventType eq 'rare'", 50, first.NextCursor, CancellationToken.None);

        Assert.Empty(first.Rows);
        Assert.Equal(RowRange.MaxPagesPerRead, pagesRead);
        Assert.NotNull(first.NextCursor);
        Assert.NotNull(second.NextCursor);
        Assert.Contains("RowKey ge 'p|0000000000000000500|next'", _filters.ToArray()[pagesRead], StringComparison.Ordinal);
    }

    private TableClient Client() => _server!.Table("ranges");
}
