namespace FuncTrace.Domain.Storage.Tables;

/// <summary>Checks a PartitionKey or RowKey before any request is sent: the service rejects these characters and sizes.</summary>
public static class TableKeys
{
    /// <summary>The service's limit is 1 KiB (512 UTF-16 characters stored as 1024 bytes).</summary>
    public const int MaxLength = 512;

    public static bool IsValid(string? key, out string? reason)
    {
        reason = key switch
        {
            null => "is null",
            { Length: > MaxLength } => $"is longer than {MaxLength} characters",
            _ when key.AsSpan().IndexOfAny("/\\#?") >= 0 => "contains one of / \\ # ?",
            _ when key.Any(c => char.IsControl(c)) => "contains a control character",
            _ => null,
        };
        return reason is null;
    }

    public static void Validate(string? key, string keyName)
    {
        if (!IsValid(key, out var reason))
        {
            throw new ArgumentException($"{keyName} {reason}.", keyName);
        }
    }

    /// <summary>The key just past every key starting with <paramref name="prefix"/> (its last character + 1).</summary>
    public static string PrefixEnd(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }
}
