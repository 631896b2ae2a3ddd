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

    /// <summary>The event's row. <paramref name="dataJson"/> is null when the data lives in the blob <paramref name="dataBlob"/>.</summary>
    public static TableEntity Row(string tenant, string sortKey, EventRecord record, string? dataJson, string? dataBlob, string bodyHash, string slot, string attempt)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new TableEntity(EventKeys.ConversationPartition(tenant, record.ConversationId), EventKeys.EventRow(sortKey))
        {
            ["Id"] = record.Id,
            ["ConversationId"] = record.ConversationId,
            ["EventType"] = record.EventType,
            ["EventTime"] = record.Timestamp,
            ["RequiresFeedback"] = record.RequiresFeedback,
            ["CreatedAt"] = record.CreatedAt,
            ["BodyHash"] = bodyHash,
            ["Slot"] = slot,
            [AttemptProperty] = attempt,
        };
        Set(row, "Data", dataJson);
        Set(row, "DataBlob", dataBlob);
        Set(row, "ReviewStatus", record.RequiresFeedback ? ReviewPending : null);
        Set(row, "Role", record.Role);
        Set(row, "Model", record.Model);
        Set(row, "PromptTokens", record.Usage?.PromptTokens);
        Set(row, "CompletionTokens", record.Usage?.CompletionTokens);
        Set(row, "TotalTokens", record.Usage?.TotalTokens);
        Set(row, "User", record.User);
        Set(row, "Metadata", record.Metadata is { } metadata ? CompactJson(metadata) : null);
        Set(row, "Sequence", record.Sequence);
        Set(row, "ParentId", record.ParentId);
        return row;
    }

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
        var prompt = row.GetInt64("PromptTokens");
        var completion = row.GetInt64("CompletionTokens");
        var total = row.GetInt64("TotalTokens");
        return new EventRecord(
            row.GetString("Id"),
            row.GetString("ConversationId"),
            row.GetString("EventType"),
            row.GetDateTimeOffset("EventTime") ?? default,
            data,
            row.GetBoolean("RequiresFeedback") ?? false,
            row.GetString("Role"),
            row.GetString("Model"),
            prompt is null && completion is null && total is null ? null : new EventUsage(prompt, completion, total),
            row.GetDateTimeOffset("CreatedAt") ?? default,
            row.GetString("ReviewStatus"),
            row.GetString("User"),
            row.GetString("Metadata") is { } metadata ? JsonBody.ParseStored(metadata) : null,
            row.GetInt64("Sequence"),
            row.GetString("ParentId"));
    }

    public static string SortKeyOf(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.RowKey[EventKeys.EventPrefix.Length..];
    }

    /// <summary>What the derived views need of a stored event: built from the row itself, both when it is written and in recovery.</summary>
    public static ViewItem ToViewItem(string tenant, TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var role = row.GetString("Role");
        var type = row.GetString("EventType");
        var data = row.GetString("Data") is { } json ? JsonBody.ParseStored(json) : default;
        var prompt = row.GetInt64("PromptTokens");
        var completion = row.GetInt64("CompletionTokens");
        var total = row.GetInt64("TotalTokens");
        return new ViewItem
        {
            Kind = ViewItemKind.Event,
            Tenant = tenant,
            SortKey = SortKeyOf(row),
            Conversation = row.GetString("ConversationId"),
            Type = type,
            Timestamp = row.GetDateTimeOffset("EventTime") ?? default,
            Role = role,
            Model = row.GetString("Model"),
            User = row.GetString("User"),
            PromptTokens = prompt ?? 0,
            CompletionTokens = completion ?? 0,
            TotalTokens = total ?? ((prompt ?? 0) + (completion ?? 0)),
            HasUsage = prompt is not null || completion is not null || total is not null,
            IsMessage = MessageText.IsMessage(role, type),
            NeedsReview = row.GetBoolean("RequiresFeedback") == true,
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
