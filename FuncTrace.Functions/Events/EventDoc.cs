using System.Text.Json;
using System.Text.Json.Serialization;

namespace FuncTrace.Functions.Events;

/// <summary>What an event's row keeps in one JSON property (<see cref="EventRows.Row"/>): short names, nulls left out.</summary>
public sealed record EventDoc
{
    [JsonPropertyName("rf")] public bool RequiresFeedback { get; init; }
    [JsonPropertyName("at")] public DateTimeOffset CreatedAt { get; init; }
    [JsonPropertyName("r")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Role { get; init; }
    [JsonPropertyName("m")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Model { get; init; }
    [JsonPropertyName("pt")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? PromptTokens { get; init; }
    [JsonPropertyName("ct")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? CompletionTokens { get; init; }
    [JsonPropertyName("tt")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? TotalTokens { get; init; }
    [JsonPropertyName("u")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? User { get; init; }
    [JsonPropertyName("md")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Metadata { get; init; }
    [JsonPropertyName("p")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ParentId { get; init; }

    // A packed event's own properties (PackedEvents): a page keeps each member in one JSON property.
    [JsonPropertyName("ty")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? EventType { get; init; }
    [JsonPropertyName("ts")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? EventTime { get; init; }
    [JsonPropertyName("h")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? BodyHash { get; init; }

    public EventUsage? Usage => PromptTokens is null && CompletionTokens is null && TotalTokens is null ? null : new EventUsage(PromptTokens, CompletionTokens, TotalTokens);

    public static EventDoc Of(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new EventDoc
        {
            RequiresFeedback = record.RequiresFeedback,
            CreatedAt = record.CreatedAt,
            Role = record.Role,
            Model = record.Model,
            PromptTokens = record.Usage?.PromptTokens,
            CompletionTokens = record.Usage?.CompletionTokens,
            TotalTokens = record.Usage?.TotalTokens,
            User = record.User,
            Metadata = record.Metadata,
            ParentId = record.ParentId,
        };
    }
}
