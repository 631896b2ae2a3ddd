using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Tests.TestFunctions;

/// <summary>
/// Queue-triggered functions that exist only in the tests, served by the local host from a catalog of this assembly
/// (<see cref="TestCatalog.Catalog"/>); each does what the test's <see cref="QueueScript"/> says.
/// </summary>
public sealed class TestQueueFunctions(QueueScript script)
{
    public const string WorkQueue = "work";
    public const string TextQueue = "text";
    public const string BytesQueue = "bytes";

    [Function("TestWork")]
    public Task Work([QueueTrigger("%FuncTrace:StoragePrefix%-" + WorkQueue)] QueueMessage message, CancellationToken cancellationToken) =>
        script.RunAsync(message, cancellationToken);

    [Function("TestText")]
    public Task Text([QueueTrigger("%FuncTrace:StoragePrefix%-" + TextQueue)] string message)
    {
        script.Bodies.Enqueue(message);
        return Task.CompletedTask;
    }

    [Function("TestBytes")]
    public Task Bytes([QueueTrigger("%FuncTrace:StoragePrefix%-" + BytesQueue)] BinaryData message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        script.Bodies.Enqueue(message.ToString());
        return Task.CompletedTask;
    }
}
