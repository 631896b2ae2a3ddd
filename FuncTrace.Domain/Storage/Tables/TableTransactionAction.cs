using Azure;

namespace FuncTrace.Domain.Storage.Tables;

public enum TableTransactionActionType
{
    Add,
    UpsertReplace,
    UpsertMerge,
    UpdateReplace,
    UpdateMerge,
    Delete,
}

/// <summary>One operation of an entity-group transaction. Update and Delete honour <see cref="ETag"/> (default: any).</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default);
