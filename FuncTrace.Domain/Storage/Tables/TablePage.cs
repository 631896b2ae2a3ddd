namespace FuncTrace.Domain.Storage.Tables;

/// <summary>One page of a query: its rows and the opaque token for the next page (null on the last one).</summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Entities, string? ContinuationToken);
