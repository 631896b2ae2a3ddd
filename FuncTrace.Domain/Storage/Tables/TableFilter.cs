using System.Globalization;

namespace FuncTrace.Domain.Storage.Tables;

/// <summary>
/// Builds OData <c>$filter</c> expressions from an interpolated string, quoting every interpolated value by
/// its type so user input can never change the filter's shape:
/// <c>TableFilter.Create($"PartitionKey eq {tenant} and RowKey ge {from}")</c>.
/// </summary>
public static class TableFilter
{
    public static string Create(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var arguments = filter.GetArguments().Select(Literal).ToArray<object?>();
        return string.Format(CultureInfo.InvariantCulture, filter.Format, arguments);
    }

    /// <summary>The rows of one partition whose keys lie in [<paramref name="fromRowKey"/>, <paramref name="toRowKeyExclusive"/>).</summary>
    public static string Range(string partitionKey, string fromRowKey, string toRowKeyExclusive) => And(
        Create($"PartitionKey eq {partitionKey}"),
        Create($"RowKey ge {fromRowKey}"),
        Create($"RowKey lt {toRowKeyExclusive}"));

    /// <summary>The rows of one partition whose keys start with <paramref name="prefix"/>.</summary>
    public static string Prefix(string partitionKey, string prefix) => Range(partitionKey, prefix, TableKeys.PrefixEnd(prefix));

    /// <summary>Joins non-empty clauses with <c>and</c>, each in parentheses.</summary>
    public static string And(params string?[] clauses) =>
        string.Join(" and ", clauses.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => $"({c})"));

    /// <summary>The OData literal for one value.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        double d => DoubleLiteral(d),
        DateTimeOffset dto => "datetime'" + dto.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture) + "'",
        DateTime dt => Literal(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt)),
        Guid g => "guid'" + g.ToString("D") + "'",
        byte[] bytes => "X'" + Convert.ToHexString(bytes).ToLowerInvariant() + "'",
        _ => throw new ArgumentException($"A value of type {value.GetType().Name} cannot be used in a table filter."),
    };

    private static string DoubleLiteral(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }
}
