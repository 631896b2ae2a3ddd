using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Views;

namespace FuncTrace.Functions.Events;

/// <summary>
/// An event's row in its conversation's partition (<see cref="EventKeys"/>): the only place its data is stored (inline,
/// or a blob name when large). The review status, lease and verdict live on it too, so a verdict is one conditional
/// write. Pointer rows map a client-chosen id to the row.
/// </summary>
public static class EventRows
{
    public const string ReviewPending = "pending";

    /// <summary>
    /// The property holding the id of the attempt that wrote a row. A write whose answer was lost is retried by the storage
    /// client, and the retry meets the row the first try stored; the attempt id tells that row (ours: the write
    /// succeeded) from one a replay or another writer stored.
    /// </summary>
    public const string AttemptProperty = "Attempt";

    public static string NewAttempt() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>Whether <paramref name="row"/> was written by <paramref name="attempt"/>.</summary>
    public static bool WrittenBy(TableEntity? row, string attempt) =>
        row is not null && string.Equals(row.GetString(AttemptProperty), attempt, StringComparison.Ordinal);

    /// <summary>A fingerprint of what the client sent, to tell a replay from a different event reusing an id.</summary>
    public static string BodyHash(NewEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            item.ConversationId, item.EventType, item.Timestamp?.UtcTicks, CompactJson(item.Data), item.RequiresFeedback,
            item.Role, item.Model, item.Usage?.PromptTokens, item.Usage?.CompletionTokens, item.Usage?.TotalTokens,
            item.User, item.Metadata is { } metadata ? CompactJson(metadata) : null, item.ParentId,
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }

    /// <summary>The JSON without insignificant whitespace, so formatting alone never makes two bodies differ.</summary>
    public static string CompactJson(JsonElement element) => JsonSerializer.Serialize(element, CompactOptions);

    // Non-ASCII text stays as it is rather than six-character escapes: the rows hold less.
    private static readonly JsonSerializerOptions CompactOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        MaxDepth = JsonBody.MaxWriteDepth,
    };

    /// <summary>
    /// The event's row. <paramref name="dataJson"/> is null when the data lives in the blob <paramref name="dataBlob"/>.
    /// What reads filter on or writes change later (id, conversation, type, time, slot, review status, sequence) are
    /// properties of their own; the rest is one JSON document (<see cref="EventDoc"/>), which costs storage less to take
    /// in than a property each.
    /// </summary>
    public static TableEntity Row(string tenant, string sortKey, EventRecord record, string? dataJson, string? dataBlob, string bodyHash, string slot, string attempt)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new TableEntity(EventKeys.ConversationPartition(tenant, record.ConversationId), EventKeys.EventRow(sortKey))
        {
            ["Id"] = record.Id,
            ["ConversationId"] = record.ConversationId,
            ["EventType"] = record.EventType,
            ["EventTime"] = record.Timestamp,
            ["BodyHash"] = bodyHash,
            ["Slot"] = slot,
            [AttemptProperty] = attempt,
            [DocProperty] = DocJson(EventDoc.Of(record)),
        };
        Set(row, "Data", dataJson);
        Set(row, "DataBlob", dataBlob);
        Set(row, "ReviewStatus", record.RequiresFeedback ? ReviewPending : null);
        Set(row, "Sequence", record.Sequence);
        return row;
    }

    public const string DocProperty = "Doc";

    /// <summary>The event's document: what its row keeps in one JSON property.</summary>
    public static EventDoc DocOf(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.GetString(DocProperty) is { } json ? ParseDoc(json) : new EventDoc();
    }

    public static string DocJson(EventDoc doc) => JsonSerializer.Serialize(doc, CompactOptions);

    public static EventDoc ParseDoc(string json) => JsonSerializer.Deserialize<EventDoc>(json, CompactOptions) ?? new EventDoc();

    /// <summary>
    /// About how many bytes the row takes in a storage request, to keep a transaction under its 4 MiB: the storage client
    /// escapes every character outside printable ASCII (and a few inside it) as <c>\uXXXX</c>, six bytes a character.
    /// </summary>
    public static int WireBytes(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var bytes = 300;
        foreach (var (name, value) in row)
        {
            bytes += 60 + name.Length + (value is string text ? EscapedLength(text) : 0);
        }
        return bytes;
    }

    private static int EscapedLength(string text)
    {
        var length = 0;
        foreach (var c in text)
        {
            length += c is >= ' ' and < (char)0x7F and not ('"' or '\\' or '<' or '>' or '&' or '\'' or '+' or '`') ? 1 : 6;
        }
        return length;
    }

    /// <summary>A client-chosen id's pointer: where its event is, and what body and time the first attempt had.</summary>
    public static TableEntity Pointer(string tenant, string clientId, string partitionKey, string sortKey, string bodyHash, DateTimeOffset timestamp, string attempt) =>
        new(EventKeys.PointerPartition(tenant, clientId), clientId)
        {
            ["EventPartition"] = partitionKey,
            ["SortKey"] = sortKey,
            ["BodyHash"] = bodyHash,
            ["EventTime"] = timestamp,
            [AttemptProperty] = attempt,
        };

    /// <summary>The record a row describes; <paramref name="data"/> was read from the row or its blob.</summary>
    public static EventRecord ToRecord(TableEntity row, JsonElement data)
    {
        ArgumentNullException.ThrowIfNull(row);
        var doc = DocOf(row);
        return new EventRecord(
            row.GetString("Id"),
            row.GetString("ConversationId"),
            row.GetString("EventType"),
            row.GetDateTimeOffset("EventTime") ?? default,
            data,
            doc.RequiresFeedback,
            doc.Role,
            doc.Model,
            doc.Usage,
            doc.CreatedAt,
            row.GetString("ReviewStatus"),
            doc.User,
            doc.Metadata,
            row.GetInt64("Sequence"),
            doc.ParentId);
    }

    public static string SortKeyOf(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.RowKey[EventKeys.EventPrefix.Length..];
    }

    /// <summary>What the derived views need of the events a stored row holds: one, or a page's (<see cref="PackedEvents"/>).</summary>
    public static IEnumerable<ViewItem> ToViewItems(string tenant, TableEntity row) =>
        PackedEvents.IsPage(row) ? PackedEvents.Events(row).Select(item => ToViewItem(tenant, item)) : [ToViewItem(tenant, row)];

    /// <summary>What the derived views need of a stored event: built from the row itself, both when it is written and in recovery.</summary>
    public static ViewItem ToViewItem(string tenant, TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var doc = DocOf(row);
        var role = doc.Role;
        var type = row.GetString("EventType");
        var data = row.GetString("Data") is { } json ? JsonBody.ParseStored(json) : default;
        var prompt = doc.PromptTokens;
        var completion = doc.CompletionTokens;
        var total = doc.TotalTokens;
        return new ViewItem
        {
            Kind = ViewItemKind.Event,
            Tenant = tenant,
            SortKey = SortKeyOf(row),
            Conversation = row.GetString("ConversationId"),
            Type = type,
            Timestamp = row.GetDateTimeOffset("EventTime") ?? default,
            Role = role,
            Model = doc.Model,
            User = doc.User,
            PromptTokens = prompt ?? 0,
            CompletionTokens = completion ?? 0,
            TotalTokens = total ?? ((prompt ?? 0) + (completion ?? 0)),
            HasUsage = prompt is not null || completion is not null || total is not null,
            IsMessage = MessageText.IsMessage(role, type),
            NeedsReview = doc.RequiresFeedback,
            TitleText = MessageText.UserText(role, type, data) is { } user ? MessageText.Truncate(user, MessageText.TitleLength) : null,
            AssistantPreview = MessageText.AssistantText(role, type, data) is { } assistant ? MessageText.Truncate(assistant, MessageText.PreviewLength) : null,
        };
    }

    private static void Set(TableEntity row, string name, object? value)
    {
        if (value is not null)
        {
            row[name] = value;
        }
    }
}
