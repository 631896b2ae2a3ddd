using System.Collections;
using Azure;

namespace FuncTrace.Domain.Storage.Tables;

/// <summary>
/// One row: its keys, its ETag and its typed properties. Values are string, int, long, double, bool,
/// DateTimeOffset (DateTime is stored as UTC), Guid or byte[]. A null value is not stored, and a merge
/// with null keeps the stored value: only a replace removes a property.
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly Dictionary<string, object?> _properties = new(StringComparer.Ordinal);

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; }
    public string RowKey { get; }
    public ETag ETag { get; set; }
    public DateTimeOffset? Timestamp { get; set; }

    public IReadOnlyDictionary<string, object?> Properties => _properties;

    public object? this[string name]
    {
        get => _properties.GetValueOrDefault(name);
        set => _properties[name] = Normalize(name, value);
    }

    /// <summary>Collection-initializer support: <c>new TableEntity(pk, rk) { { "Name", "x" } }</c>.</summary>
    public void Add(string name, object? value) => this[name] = value;

    public bool Remove(string name) => _properties.Remove(name);

    public string? GetString(string name) => this[name] as string;
    public int? GetInt32(string name) => this[name] is int value ? value : null;
    public long? GetInt64(string name) => this[name] switch { long l => l, int i => i, _ => null };
    public double? GetDouble(string name) => this[name] switch { double d => d, int i => i, long l => l, _ => null };
    public bool? GetBoolean(string name) => this[name] is bool value ? value : null;
    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] is DateTimeOffset value ? value : null;
    public Guid? GetGuid(string name) => this[name] is Guid value ? value : null;
    public byte[]? GetBinary(string name) => this[name] as byte[];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static object? Normalize(string name, object? value) => value switch
    {
        null or string or int or long or double or bool or Guid or byte[] or DateTimeOffset => value,
        DateTime dateTime => new DateTimeOffset(dateTime.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dateTime, DateTimeKind.Utc) : dateTime.ToUniversalTime()),
        float f => (double)f,
        short or byte => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        _ => throw new ArgumentException($"Property '{name}' has type {value.GetType().Name}, which Table Storage cannot store.", nameof(value)),
    };
}
