using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Events;

/// <summary>Maps events to their rows and back.</summary>
internal static class EventEntities
{
    public const string ReviewPending = "pending";

    /// <summary>A fingerprint of what the client sent, to tell a replay from a different event reusing an id.</summary>
    public static string BodyHash(NewEvent item)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            item.ConversationId, item.EventType, item.Timestamp?.UtcTicks, CompactJson(item.Data), item.RequiresFeedback,
            item.Role, item.Model, item.Usage?.PromptTokens, item.Usage?.CompletionTokens, item.Usage?.TotalTokens,
            item.User, item.Metadata is { } metadata ? CompactJson(metadata) : null,
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }

    /// <summary>The JSON without insignificant whitespace, so formatting alone never makes two bodies differ.</summary>
    public static string CompactJson(JsonElement element) => JsonSerializer.Serialize(element, CompactOptions);

    // Non-ASCII text stays as it is rather than six-character escapes: the rows hold less.
    private static readonly JsonSerializerOptions CompactOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The record row and its index copies, all in the tenant's partition: one transaction writes them.
    /// <paramref name="dataJson"/> is null when the data lives in the blob <paramref name="dataBlob"/>.
    /// </summary>
    public static List<TableTransactionAction> Rows(string tenant, EventRecord record, string? dataJson, string? dataBlob, string bodyHash)
    {
        var sort = EventKeys.SortKey(record.Timestamp, record.Id);
        var inverse = EventKeys.InverseSortKey(record.Timestamp, record.Id);
        var rowKeys = new List<string>
        {
            EventKeys.Record + record.Id,
            EventKeys.Conversation(record.ConversationId) + sort,
            EventKeys.ConversationDesc(record.ConversationId) + inverse,
            EventKeys.Timeline + sort,
            EventKeys.TimelineDesc + inverse,
            EventKeys.Type(record.EventType) + sort,
            EventKeys.TypeDesc(record.EventType) + inverse,
        };
        if (record.RequiresFeedback)
        {
            rowKeys.Add(EventKeys.Pending + sort);
        }

        return rowKeys.Select(rowKey =>
        {
            var entity = Entity(tenant, rowKey, record, dataJson, dataBlob, bodyHash);
            if (rowKey.StartsWith(EventKeys.Record, StringComparison.Ordinal) && record.RequiresFeedback)
            {
                entity["ReviewStatus"] = ReviewPending;
            }
            if (rowKey.StartsWith(EventKeys.Pending, StringComparison.Ordinal))
            {
                entity["LeaseOwner"] = string.Empty;
                entity["LeaseUntil"] = DateTimeOffset.UnixEpoch;
            }
            return new TableTransactionAction(TableTransactionActionType.Add, entity);
        }).ToList();
    }

    private static TableEntity Entity(string tenant, string rowKey, EventRecord record, string? dataJson, string? dataBlob, string bodyHash)
    {
        var entity = new TableEntity(tenant, rowKey)
        {
            { "Id", record.Id },
            { "ConversationId", record.ConversationId },
            { "EventType", record.EventType },
            { "EventTime", record.Timestamp },
            { "RequiresFeedback", record.RequiresFeedback },
            { "CreatedAt", record.CreatedAt },
            { "BodyHash", bodyHash },
        };
        if (dataJson is not null)
        {
            entity["Data"] = dataJson;
        }
        if (dataBlob is not null)
        {
            entity["DataBlob"] = dataBlob;
        }
        entity["Role"] = record.Role;
        entity["Model"] = record.Model;
        entity["PromptTokens"] = record.Usage?.PromptTokens;
        entity["CompletionTokens"] = record.Usage?.CompletionTokens;
        entity["TotalTokens"] = record.Usage?.TotalTokens;
        entity["User"] = record.User;
        entity["Metadata"] = record.Metadata is { } metadata ? CompactJson(metadata) : null;
        return entity;
    }

    /// <summary>The record a row describes; <paramref name="data"/> was read from the row or its blob.</summary>
    public static EventRecord ToRecord(TableEntity row, JsonElement data)
    {
        var prompt = row.GetInt64("PromptTokens");
        var completion = row.GetInt64("CompletionTokens");
        var total = row.GetInt64("TotalTokens");
        return new EventRecord(
            row.GetString("Id")!,
            row.GetString("ConversationId")!,
            row.GetString("EventType")!,
            row.GetDateTimeOffset("EventTime") ?? default,
            data,
            row.GetBoolean("RequiresFeedback") ?? false,
            row.GetString("Role"),
            row.GetString("Model"),
            prompt is null && completion is null && total is null ? null : new EventUsage(prompt, completion, total),
            row.GetDateTimeOffset("CreatedAt") ?? default,
            row.GetString("ReviewStatus"),
            row.GetString("User"),
            row.GetString("Metadata") is { } metadata ? ParseJson(metadata) : null);
    }

    /// <summary>
    /// A copy of a row under another key (an event's log row, a summary's list row). The review status is left out:
    /// only the record row keeps it current.
    /// </summary>
    public static TableEntity CopyAs(TableEntity row, string rowKey)
    {
        var copy = new TableEntity(row.PartitionKey, rowKey);
        foreach (var (name, value) in row)
        {
            copy[name] = value;
        }
        copy.Remove("ReviewStatus");
        return copy;
    }

    public static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
