using System.Security.Cryptography;

namespace FuncTrace.Domain.Events;

/// <summary>
/// ULID-style ids: 48 bits of milliseconds then 80 random bits in Crockford base32, so ids sort by creation
/// time (Table Storage has no auto-increment) and never collide across instances.
/// </summary>
public static class EventIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string New(DateTimeOffset now)
    {
        Span<char> chars = stackalloc char[26];
        var milliseconds = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(milliseconds & 31)];
            milliseconds >>= 5;
        }
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        for (var i = 10; i < 26; i++)
        {
            chars[i] = Alphabet[random[i - 10] & 31];
        }
        return new string(chars);
    }
}
