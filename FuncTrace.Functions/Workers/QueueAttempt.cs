namespace FuncTrace.Functions.Workers;

/// <summary>How one attempt at a message ended: done, to be retried, or given up on (the handler has been told).</summary>
public sealed record QueueAttempt(bool Succeeded, bool GivenUp, Exception? Error)
{
    public static QueueAttempt Success { get; } = new(true, false, null);

    public static QueueAttempt Retry(Exception error) => new(false, false, error);

    public static QueueAttempt GiveUp(Exception error) => new(false, true, error);
}
