namespace FuncTrace.Domain.Storage.Queues;

/// <summary>After an update the old pop receipt is void: use <see cref="PopReceipt"/> from now on.</summary>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);
