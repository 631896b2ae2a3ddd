namespace FuncTrace.Domain.Storage.Tables;

/// <summary>Replace swaps the whole row; Merge keeps properties the entity does not mention.</summary>
public enum TableUpdateMode
{
    Replace,
    Merge,
}
