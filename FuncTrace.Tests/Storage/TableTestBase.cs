using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Storage;

/// <summary>Gives each test its own freshly created table in Azurite and drops it afterwards.</summary>
public abstract class TableTestBase : IAsyncLifetime
{
    protected TableTestBase()
    {
        TableName = TestStorage.UniqueName("t");
        Table = new TableClient(TestStorage.Account, TableName);
    }

    protected string TableName { get; }

    protected TableClient Table { get; }

    public Task InitializeAsync() => Table.CreateIfNotExistsAsync();

    public Task DisposeAsync() => Table.DeleteIfExistsAsync();

    protected async Task<List<TableEntity>> QueryAllAsync(string? filter = null, IEnumerable<string>? select = null)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync(filter, select))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>A client on the same table whose transport fails the test if any request reaches it.</summary>
    protected TableClient OfflineClient(out NoRequestTransport transport)
    {
        transport = new NoRequestTransport();
        return new TableClient(TestStorage.Account, TableName, new StorageClientOptions { Transport = transport });
    }
}

/// <summary>Counts requests instead of sending them, to prove validation happens before the wire.</summary>
public sealed class NoRequestTransport : HttpPipelineTransport
{
    public int Requests { get; private set; }

    public override Request CreateRequest() => HttpClientTransport.Shared.CreateRequest();

    public override void Process(HttpMessage message)
    {
        Requests++;
        throw new InvalidOperationException("No request should have been sent.");
    }

    public override ValueTask ProcessAsync(HttpMessage message)
    {
        Process(message);
        return ValueTask.CompletedTask;
    }
}
