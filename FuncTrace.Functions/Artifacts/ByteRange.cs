using System.Globalization;

namespace FuncTrace.Functions.Artifacts;

/// <summary>A resolved range of an artifact: <see cref="Length"/> bytes from <see cref="Offset"/>.</summary>
public readonly record struct ByteRange(long Offset, long Length)
{
    public long Last => Offset + Length - 1;
}

/// <summary>
/// One range of a <c>Range: bytes=…</c> header (RFC 9110 §14.1.2): <c>first-last</c>, <c>first-</c> or the suffix
/// <c>-length</c>. Anything else (another unit, several ranges, a malformed or backwards range) is no range at all and
/// the whole artifact is served, as the RFC allows.
/// </summary>
public sealed record ByteRangeRequest(long? First, long? Last, long? SuffixLength)
{
    private const string Unit = "bytes=";

    /// <summary>The request's range, or null when the header is absent or is to be ignored.</summary>
    public static ByteRangeRequest? Parse(string? header)
    {
        if (header is null || !header.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var spec = header[Unit.Length..];
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || spec.IndexOf(',', StringComparison.Ordinal) >= 0)
        {
            return null;
        }
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            // A suffix too long for a long asks for more than any artifact holds: all of it.
            return Digits(last) ? new ByteRangeRequest(null, null, Number(last) ?? long.MaxValue) : null;
        }
        if (!Digits(first) || (last.Length > 0 && !Digits(last)))
        {
            return null;
        }
        // A first position too long for a long lies past the end of anything; a last one that long means "to the end".
        var from = Number(first) ?? long.MaxValue;
        var to = last.Length == 0 ? (long?)null : Number(last) ?? long.MaxValue;
        return to < from ? null : new ByteRangeRequest(from, to, null);
    }

    /// <summary>The bytes of an artifact of <paramref name="size"/> this asks for, or null when none of them exist (416).</summary>
    public ByteRange? Resolve(long size)
    {
        if (SuffixLength is { } suffix)
        {
            return suffix == 0 || size == 0 ? null : new ByteRange(size - Math.Min(suffix, size), Math.Min(suffix, size));
        }
        var first = First!.Value;
        if (first >= size)
        {
            return null;
        }
        var last = Math.Min(Last ?? long.MaxValue, size - 1);
        return new ByteRange(first, last - first + 1);
    }

    private static bool Digits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static long? Number(string digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
