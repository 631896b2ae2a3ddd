using Azure;

namespace FuncTrace.Functions.Shared.Storage;

public static class StorageOutcome
{
    /// <summary>
    /// Whether a failed write may nevertheless have been applied: no answer came back (a timeout, a reset connection) or
    /// the service failed on its side. A refusal (4xx) is certain: nothing was written.
    /// </summary>
    public static bool IsUncertain(Exception ex) => ex switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsUncertain),
        OperationCanceledException or TimeoutException or IOException or HttpRequestException => true,
        _ => false,
    };
}
