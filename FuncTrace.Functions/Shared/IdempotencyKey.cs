using System.Security.Cryptography;
using System.Text;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// The <c>Idempotency-Key</c> request header, for clients that retry but do not choose ids: the key stands for an
/// id derived from it, so a retried request finds the record the first one stored instead of adding another.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    private const int MaxLength = 255;

    /// <summary>The id the header stands for within <paramref name="scope"/> (what kind of record), or null without the header.</summary>
    public static string? IdFor(HttpRequest request, string scope)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return null;
        }
        if (key.Length > MaxLength || key.Any(char.IsControl))
        {
            throw FuncTraceException.Validation($"'{Header}' must be 1 to {MaxLength} printable characters.", Header);
        }
        return "idem-" + Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(scope + "\n" + key)))[..26];
    }
}
