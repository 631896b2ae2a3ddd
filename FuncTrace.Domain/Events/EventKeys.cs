using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Events;

/// <summary>
/// Row keys of the events table. A tenant's events and feedback share one partition (the tenant), so the
/// rows of one event — the record and its index copies — are written in one entity-group transaction.
/// Each index is a row-key range:
/// <list type="bullet">
/// <item><c>e|{id}</c>: the record (point read by id; holds the review status)</item>
/// <item><c>c|{conversation}|{sort}</c> and <c>C|{conversation}|{inverse sort}</c>: a conversation, oldest/newest first</item>
/// <item><c>t|{sort}</c> and <c>T|{inverse sort}</c>: the tenant's timeline</item>
/// <item><c>y|{type}|{sort}</c> and <c>Y|{type}|{inverse sort}</c>: one event type</item>
/// <item><c>p|{sort}</c>: the review queue, present while an event still needs a verdict</item>
/// <item><c>f|{event id}|{feedback id}</c>: an event's feedback</item>
/// <item><c>s|{conversation}</c>: a conversation's summary; <c>a|{inverse last activity}|{conversation}</c>: its copy in the
/// newest-activity-first list; <c>q|{conversation}|{sequence}</c>: its events in the order they were stored (the live tail)</item>
/// <item><c>u|d|{yyyyMMdd}|{user}|{model}|{shard}</c> and <c>u|m|{yyyyMM}|{user}|{model}|{shard}</c>: token usage per day and
/// per month, split by <see cref="ShardOf"/> of the conversation so parallel writers rarely meet (readers sum the shards)</item>
/// <item><c>n|{shard}</c>: the tenant's counters, split the same way</item>
/// </list>
/// Summaries, usage and counters are updated in the same transaction as the event's rows (see <see cref="EventAggregates"/>).
/// Sort keys are the event timestamp's ticks (19 digits) then the id, so ranges by time are key ranges.
/// Segments are escaped so that <c>|</c> inside a conversation id cannot reach into another's range.
/// </summary>
public static class EventKeys
{
    public const string Record = "e|";
    public const string Timeline = "t|";
    public const string TimelineDesc = "T|";
    public const string Pending = "p|";

    public static string Conversation(string conversationId) => "c|" + Escape(conversationId) + "|";
    public static string ConversationDesc(string conversationId) => "C|" + Escape(conversationId) + "|";
    public static string Type(string eventType) => "y|" + Escape(eventType) + "|";
    public static string TypeDesc(string eventType) => "Y|" + Escape(eventType) + "|";
    public static string Feedback(string eventId) => "f|" + Escape(eventId) + "|";

    public const string Activity = "a|";
    public const string UsageByDay = "u|d|";
    public const string UsageByMonth = "u|m|";
    public const string Counters = "n|";

    public static string Summary(string conversationId) => "s|" + Escape(conversationId);
    public static string ActivityRow(DateTimeOffset lastActivity, string conversationId) =>
        Activity + Ticks(DateTimeOffset.MaxValue.UtcTicks - lastActivity.UtcTicks) + "|" + Escape(conversationId);
    public static string Sequence(string conversationId) => "q|" + Escape(conversationId) + "|";
    public static string SequenceRow(string conversationId, long sequence) => Sequence(conversationId) + sequence.ToString("D12", CultureInfo.InvariantCulture);
    public static string UsageRow(string periodPrefix, string period, string? user, string? model, int shard) =>
        periodPrefix + period + "|" + UsageSegment(user ?? string.Empty) + "|" + UsageSegment(model ?? string.Empty) + "|" + shard.ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>
    /// How many rows each usage total and the counters are split over. Every event updates them under an ETag, so one
    /// row per total would let only one writer at a time succeed: concurrent agents would retry each other into a crawl.
    /// </summary>
    public const int AggregateShards = 16;

    /// <summary>
    /// The aggregate shard of a conversation: stable (FNV-1a, not the per-process string hash), so one conversation's
    /// events, already serialised by its summary's ETag, always meet the same shard and different ones rarely do.
    /// </summary>
    public static int ShardOf(string conversationId)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        var hash = 2166136261u;
        foreach (var c in conversationId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % AggregateShards);
    }

    public static string SortKey(DateTimeOffset timestamp, string id) => Ticks(timestamp.UtcTicks) + "|" + id;

    public static string InverseSortKey(DateTimeOffset timestamp, string id) => Ticks(DateTimeOffset.MaxValue.UtcTicks - timestamp.UtcTicks) + "|" + id;

    /// <summary>The first key at or after <paramref name="time"/> within an ascending range.</summary>
    public static string From(DateTimeOffset time) => Ticks(time.UtcTicks);

    /// <summary>The first key at or after <paramref name="time"/> within a descending range.</summary>
    public static string FromDesc(DateTimeOffset time) => Ticks(DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks);


    private static string Ticks(long ticks) => ticks.ToString("D19", CultureInfo.InvariantCulture);

    private const int MaxUsageSegmentLength = 200;

    /// <summary>
    /// A user or model in a usage key: escaped like every segment, unless it holds characters no key may hold (model names such as
    /// <c>org/model</c>) or is too long once escaped; then a hash of it. The row keeps the value itself, which is what reports read.
    /// </summary>
    private static string UsageSegment(string value)
    {
        var escaped = Escape(value);
        return escaped.Length <= MaxUsageSegmentLength && TableKeys.IsValid(escaped, out _)
            ? escaped
            : "~" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>
    /// The longest an id, conversation id or event type may be once escaped (<c>|</c> and <c>%</c> take three characters), so that
    /// every key built from it — at most 151 characters more — stays within the service's 512.
    /// </summary>
    public const int MaxEscapedSegmentLength = 360;

    public static bool Fits(string segment) => Escape(segment).Length <= MaxEscapedSegmentLength;

    private static string Escape(string segment) =>
        segment.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);
}
