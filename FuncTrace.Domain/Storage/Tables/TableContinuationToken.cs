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
            : Base64Url(Encoding.UTF8.GetBytes($"{nextPartitionKey}\n{nextRowKey}"));

    /// <summary>Returns false for anything this class did not produce.</summary>
    public static bool TryDecode(string? token, out string? nextPartitionKey, out string? nextRowKey)
    {
        nextPartitionKey = nextRowKey = null;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }
        try
        {
            var text = Encoding.UTF8.GetString(FromBase64Url(token));
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline < 0)
            {
                return false;
            }
            nextPartitionKey = NullIfEmpty(text[..newline]);
            nextRowKey = NullIfEmpty(text[(newline + 1)..]);
            return nextPartitionKey is not null || nextRowKey is not null;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}
