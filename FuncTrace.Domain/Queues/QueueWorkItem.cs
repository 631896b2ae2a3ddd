namespace FuncTrace.Domain.Queues;

/// <summary>One delivery of a queue message: its decoded text and which attempt this is (1 on the first).</summary>
public sealed record QueueWorkItem(string MessageId, string Text, long DequeueCount, DateTimeOffset InsertedOn);
