using Azure;
using Azure.Storage.Queues;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>Waits until the ingest queues are empty: every slot sealed and every views message applied.</summary>
public static class QueueQuiet
{
    public static async Task WaitAsync(params QueueClient[] queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var quietChecks = 0;
        await Eventually.HoldsAsync("the ingest queues are empty", TimeSpan.FromSeconds(90), async () =>
        {
            var empty = true;
            foreach (var queue in queues)
            {
                empty &= await CountAsync(queue) == 0;
            }
            // Twice in a row a little apart: a message between receive and delete is not counted as gone.
            quietChecks = empty ? quietChecks + 1 : 0;
            return quietChecks >= 3;
        });
    }

    private static async Task<int> CountAsync(QueueClient queue)
    {
        try
        {
            return (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return 0;
        }
    }
}
