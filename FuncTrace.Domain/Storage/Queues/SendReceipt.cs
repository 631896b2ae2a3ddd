namespace FuncTrace.Domain.Storage.Queues;

/// <summary>What the queue says about a message it accepted.</summary>
public sealed record SendReceipt(
    string MessageId,
    string PopReceipt,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn);
