using Azure;
using FuncTrace.Domain.Storage.Tables;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FuncTrace.Tests.Storage;

/// <summary>
/// The pipeline's retry policy against a storage endpoint that misbehaves on cue: transient statuses are retried,
/// a client error is not and surfaces with the service's error code.
/// </summary>
public sealed class StorageRetryTests : IAsyncLifetime
{
    private readonly Queue<(int Status, string Code)> _failures = new();
    private ScriptedStorageServer? _server;
    private int _requests;

    public async Task InitializeAsync() => _server = await ScriptedStorageServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref _requests);
            (int Status, string Code)? failure;
            lock (_failures)
            {
                failure = _failures.Count > 0 ? _failures.Dequeue() : null;
            }
            if (failure is { } f)
            {
                context.Response.StatusCode = f.Status;
                context.Response.Headers["x-ms-error-code"] = f.Code;
                await context.Response.WriteAsync("{\"odata.error\":{\"code\":\"" + f.Code + "\",\"message\":{\"value\":\"scripted failure\"}}}");
                return;
            }
            context.Response.ContentType = "application/json;odata=minimalmetadata";
            await context.Response.WriteAsync("""{"value":[{"PartitionKey":"p","RowKey":"r","Name":"ok"}]}""");
        });

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(503, "ServerBusy")]
    [InlineData(500, "InternalError")]
    [InlineData(429, "TooManyRequests")]
    public async Task TransientFailuresAreRetriedUntilTheServiceAnswers(int status, string code)
    {
        Fail((status, code), (status, code));

        var rows = await Client().QueryAsync().ToListAsync();

        Assert.Equal("ok", Assert.Single(rows).GetString("Name"));
        Assert.Equal(3, _requests);
    }

    [Fact]
    public async Task AClientErrorIsNotRetriedAndCarriesTheServiceErrorCode()
    {
        Fail((400, "InvalidInput"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => Client().QueryAsync().ToListAsync().AsTask());

        Assert.Equal(400, error.Status);
        Assert.Equal("InvalidInput", error.ErrorCode);
        Assert.Contains("scripted failure", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _requests);
    }

    private void Fail(params (int Status, string Code)[] failures)
    {
        lock (_failures)
        {
            foreach (var failure in failures)
            {
                _failures.Enqueue(failure);
            }
        }
    }

    private TableClient Client() => _server!.Table("retries");
}
