namespace FuncTrace.Domain.Storage.Queues;

/// <summary>A received message: invisible to others until <see cref="NextVisibleOn"/>; delete it with <see cref="PopReceipt"/>.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn,
    string Text);
