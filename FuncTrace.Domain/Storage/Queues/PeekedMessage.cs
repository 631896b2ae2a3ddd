namespace FuncTrace.Domain.Storage.Queues;

/// <summary>A message seen without receiving it: no pop receipt, and its dequeue count is unchanged.</summary>
public sealed record PeekedMessage(
    string MessageId,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    string Text);
