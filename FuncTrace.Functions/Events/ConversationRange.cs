namespace FuncTrace.Functions.Events;

/// <summary>
/// A conversation's event rows as numbers, so a range of them can be cut anywhere. Every row key of a conversation's
/// partition is <c>e|</c>, 10 digits of time, the conversation's 8 of hash, and 8 more; the hash is the same throughout,
/// so time and the last 8 digits make a 90-bit number whose order is the rows' order.
/// </summary>
public static class ConversationRange
{
    private const int SuffixBits = 40;
    private const int TimeDigits = 10;
    private const int SuffixDigits = 8;

    /// <summary>One past the last row: the number of <c>e}</c>, above every event row key.</summary>
    public static readonly UInt128 End = UInt128.One << 90;

    /// <summary>One millisecond of time, in row numbers.</summary>
    public static readonly UInt128 Millisecond = UInt128.One << SuffixBits;

    /// <summary>The first row at or after <paramref name="time"/>.</summary>
    public static UInt128 At(DateTimeOffset time) =>
        (UInt128)(ulong)Math.Clamp(time.ToUnixTimeMilliseconds(), 0, EventKeys.MaxTimestamp.ToUnixTimeMilliseconds() + 1) << SuffixBits;

    /// <summary>The number of a sort key of the conversation with hash <paramref name="hash"/>; null for any other string.</summary>
    public static UInt128? Of(string sortKey, string hash)
    {
        ArgumentNullException.ThrowIfNull(sortKey);
        if (sortKey.Length != EventKeys.SortKeyLength || EventKeys.ConversationHashOf(sortKey) != hash
            || EventKeys.ValueOf(sortKey.AsSpan(0, TimeDigits)) is not { } time
            || EventKeys.ValueOf(sortKey.AsSpan(TimeDigits + hash.Length)) is not { } suffix)
        {
            return null;
        }
        return ((UInt128)time << SuffixBits) | suffix;
    }

    /// <summary>The row key that number <paramref name="value"/> stands for, to bound a range read (<c>e}</c> for <see cref="End"/>).</summary>
    public static string RowKey(UInt128 value, string hash) => value >= End
        ? EventKeys.EventPrefix[..^1] + "}"
        : EventKeys.EventRow(EventKeys.Digits((ulong)(value >> SuffixBits), TimeDigits) + hash + EventKeys.Digits((ulong)(value & (Millisecond - 1)), SuffixDigits));
}
