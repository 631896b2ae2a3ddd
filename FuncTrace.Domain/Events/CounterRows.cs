using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Events;

/// <summary>Increments of Int64 properties of one row, as a transaction action guarded by the ETag of the row read.</summary>
public static class CounterRows
{
    /// <summary>
    /// <paramref name="existing"/> is the row as just read (null when it does not exist): the result adds it with the
    /// deltas as values, or replaces it with the deltas added, failing with 412 if another writer changed it meanwhile.
    /// <paramref name="labels"/> are plain properties written as they are.
    /// </summary>
    public static TableTransactionAction Increment(
        string tenant,
        string rowKey,
        TableEntity? existing,
        IReadOnlyDictionary<string, long> deltas,
        IReadOnlyDictionary<string, object?>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        var row = new TableEntity(tenant, rowKey);
        foreach (var (name, value) in (IEnumerable<KeyValuePair<string, object?>>?)existing ?? [])
        {
            row[name] = value;
        }
        foreach (var (name, value) in labels ?? new Dictionary<string, object?>())
        {
            row[name] = value;
        }
        foreach (var (name, delta) in deltas)
        {
            row[name] = (existing?.GetInt64(name) ?? 0) + delta;
        }
        return existing is null
            ? new TableTransactionAction(TableTransactionActionType.Add, row)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, existing.ETag);
    }
}
