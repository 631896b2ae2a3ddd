using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FuncTrace.Functions.Events;

/// <summary>
/// Where an event lives. Each conversation has a partition of its own in the events table,
/// <c>e|{tenant}|{conversation hash}</c>, holding its events in time order under <c>e|{sort key}</c> (with its feedback,
/// session and pointer rows beside them), so a conversation's events are one range read and a tenant's writes spread
/// over as many partitions as it has conversations.
/// <para>
/// The sort key is 26 Crockford base32 characters: 10 of the event's timestamp in milliseconds, 8 of the conversation
/// hash, 8 random (or, for a client-chosen id, of the id's hash). A generated event id <em>is</em> its sort key, so
/// <c>GET /api/events/{id}</c> finds the partition and row from the id alone; a client-chosen id (or an
/// <c>Idempotency-Key</c>) is found through a pointer row in a partition of its own hash.
/// </para>
/// </summary>
public static class EventKeys
{
    public const int SortKeyLength = 26;
    private const int TimeLength = 10;
    private const int HashLength = 8;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public const string EventPrefix = "e|";
    public const string FeedbackPrefix = "f|";
    public const string SessionRow = "session";

    /// <summary>A packed event's verdict claim: the first verdict inserts it (<see cref="PackedEvents.Verdict"/>).</summary>
    public const string VerdictClaimPrefix = "v|";
    public const string SequencePrefix = "q|";
    public const string CommandPrefix = "c|";
    public const string ChatTurnPrefix = "chat|t|";
    public const string ChatKeyPrefix = "chat|k|";

    /// <summary>The earliest and latest timestamps a sort key can hold (and an event may carry).</summary>
    public static readonly DateTimeOffset MinTimestamp = DateTimeOffset.UnixEpoch;
    public static readonly DateTimeOffset MaxTimestamp = new(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);

    /// <summary>The conversation's partition in the events table.</summary>
    public static string ConversationPartition(string tenant, string conversationId) => PartitionOf(tenant, Hash(conversationId));

    public static string PartitionOf(string tenant, string conversationHash) => $"e|{tenant}|{conversationHash}";

    /// <summary>The partition of a client id's pointer row: its own hash, so pointers spread like conversations do.</summary>
    public static string PointerPartition(string tenant, string clientId) => $"i|{tenant}|{Hash(clientId)}";

    public static string EventRow(string sortKey) => EventPrefix + sortKey;

    /// <summary>A new sort key (and generated id) for an event of <paramref name="conversationId"/> at <paramref name="timestamp"/>.</summary>
    public static string NewSortKey(DateTimeOffset timestamp, string conversationId)
    {
        Span<byte> random = stackalloc byte[HashLength];
        RandomNumberGenerator.Fill(random);
        return Time(timestamp) + Hash(conversationId) + Unpacked(Encode(random));
    }

    /// <summary>
    /// The character a packed event's suffix begins with (<see cref="PackedEvents"/>), and no other event's: the sort key
    /// alone tells a reader to look in a page.
    /// </summary>
    public const char PageMarker = 'Z';

    /// <summary>Page keys: time, conversation hash, the marker and 5 random digits; a member adds its 2-digit index.</summary>
    public const int PageKeyLength = SortKeyLength - MemberDigits;

    public const int MemberDigits = 2;

    private const int PageRandomDigits = PageKeyLength - TimeLength - HashLength - 1;

    /// <summary>
    /// <paramref name="count"/> new page keys, in order, for events of <paramref name="conversationId"/> in the millisecond
    /// of <paramref name="timestamp"/>: a random number and those after it, so a batch's pages keep the batch's order.
    /// </summary>
    public static IReadOnlyList<string> NewPageKeys(DateTimeOffset timestamp, string conversationId, int count)
    {
        var space = 1L << (5 * PageRandomDigits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, space / 2);
        var first = RandomNumberGenerator.GetInt32((int)(space - count + 1));
        var prefix = Time(timestamp) + Hash(conversationId) + PageMarker;
        return Enumerable.Range(0, count).Select(i => prefix + Digits((ulong)(first + i), PageRandomDigits)).ToList();
    }

    public static string NewPageKey(DateTimeOffset timestamp, string conversationId) => NewPageKeys(timestamp, conversationId, 1)[0];

    /// <summary>The sort key (and id) of member <paramref name="index"/> of page <paramref name="pageKey"/>.</summary>
    public static string MemberSortKey(string pageKey, int index) => pageKey + Digits((ulong)index, MemberDigits);

    /// <summary>Whether <paramref name="sortKey"/> names a member of a page (it may still be stored alone, see <see cref="PackedEvents"/>).</summary>
    public static bool IsPacked(string sortKey) => sortKey.Length == SortKeyLength && sortKey[TimeLength + HashLength] == PageMarker;

    /// <summary>A suffix that does not begin with <see cref="PageMarker"/>, so an unpacked event never looks packed.</summary>
    private static string Unpacked(string suffix) => suffix[0] == PageMarker ? "Y" + suffix[1..] : suffix;

    /// <summary>A new session id: 10 characters of the time, then 16 random ones (80 bits), so ids sort by creation and never repeat.</summary>
    public static string NewSessionId(DateTimeOffset now)
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Time(now) + Encode(random);
    }

    /// <summary>The sort key of a client-chosen id: deterministic, so a replay lands on the same row.</summary>
    public static string SortKeyFor(string clientId, DateTimeOffset timestamp, string conversationId) =>
        Time(timestamp) + Hash(conversationId) + Unpacked(Hash("id\n" + clientId));

    /// <summary>Whether <paramref name="id"/> has the shape of a generated id (and so names its own partition).</summary>
    public static bool IsSortKey(string id) => id.Length == SortKeyLength && id.All(c => Alphabet.Contains(c, StringComparison.Ordinal));

    /// <summary>The conversation hash inside a sort key.</summary>
    public static string ConversationHashOf(string sortKey) => sortKey.Substring(TimeLength, HashLength);

    /// <summary>The millisecond a sort key (or an event row key) begins with.</summary>
    public static DateTimeOffset TimeOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var text = key.StartsWith(EventPrefix, StringComparison.Ordinal) ? key[EventPrefix.Length..] : key;
        long milliseconds = 0;
        foreach (var c in text.AsSpan(0, Math.Min(TimeLength, text.Length)))
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            milliseconds = (milliseconds * 32) + Math.Max(0, value);
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(milliseconds, 0, MaxTimestamp.ToUnixTimeMilliseconds()));
    }

    /// <summary>The first sort key at or after <paramref name="time"/> (to bound a range by time).</summary>
    public static string From(DateTimeOffset time) => Time(time);

    /// <summary>
    /// 8 Crockford characters (40 bits) of SHA-256: collisions between a tenant's conversations are rare, and harmless —
    /// reads filter on the conversation id — so the hash only decides placement.
    /// </summary>
    public static string Hash(string value)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), digest);
        return Encode(digest[..HashLength]);
    }

    private static string Time(DateTimeOffset timestamp) =>
        Digits((ulong)Math.Clamp(timestamp.ToUnixTimeMilliseconds(), 0, MaxTimestamp.ToUnixTimeMilliseconds()), TimeLength);

    /// <summary><paramref name="value"/> as <paramref name="length"/> Crockford digits, most significant first.</summary>
    public static string Digits(ulong value, int length)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = length - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return new string(chars);
    }

    /// <summary>The number Crockford digits stand for; null when one is not a digit.</summary>
    public static ulong? ValueOf(ReadOnlySpan<char> digits)
    {
        ulong value = 0;
        foreach (var c in digits)
        {
            var digit = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return null;
            }
            value = (value << 5) | (uint)digit;
        }
        return value;
    }

    /// <summary>One character per byte's low five bits: uniform enough for placement and randomness, and simple.</summary>
    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }
        return new string(chars);
    }

    /// <summary>Ticks as fixed-width digits, for row keys that sort by time.</summary>
    public static string Ticks(long ticks) => ticks.ToString("D19", CultureInfo.InvariantCulture);
}
