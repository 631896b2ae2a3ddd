using System.Security.Cryptography;
using System.Text;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// What a list's cursor is good for: a short fingerprint of the query that made it (what it lists, in which order,
/// between which bounds), carried inside the cursor, so a cursor brought to another query is a 400, not a wrong page.
/// </summary>
public static class CursorScope
{
    public static string Of(params object?[] query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = string.Join('\n', query.Select(part => part switch
        {
            null => "-",
            DateTimeOffset time => time.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture)!.Replace("\n", "\n\n", StringComparison.Ordinal),
        }));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 6).ToLowerInvariant();
    }
}
