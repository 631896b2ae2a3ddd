using System.Text;

namespace FuncTrace.Domain.Storage.Tables;

/// <summary>
/// The service's NextPartitionKey/NextRowKey pair as one opaque, URL-safe string, so callers can hand it
/// to clients as a cursor and back.
/// </summary>
public static class TableContinuationToken
{
    public static string? Encode(string? nextPartitionKey, string? nextRowKey) =>
        nextPartitionKey is null && nextRowKey is null
            ? null
            : Base64Url.Encode(Encoding.UTF8.GetBytes($"{nextPartitionKey}\n{nextRowKey}"));

    /// <summary>Returns false for anything this class did not produce.</summary>
    public static bool TryDecode(string? token, out string? nextPartitionKey, out string? nextRowKey)
    {
        nextPartitionKey = nextRowKey = null;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        if (Base64Url.TryDecode(token) is not { } bytes)
        {
            return false;
        }
        var text = Encoding.UTF8.GetString(bytes);
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0)
        {
            return false;
        }
        nextPartitionKey = NullIfEmpty(text[..newline]);
        nextRowKey = NullIfEmpty(text[(newline + 1)..]);
        return nextPartitionKey is not null || nextRowKey is not null;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
