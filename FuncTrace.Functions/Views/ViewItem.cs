using System.Text.Json.Serialization;

namespace FuncTrace.Functions.Views;

/// <summary>What happened, as the derived views need to know it.</summary>
public enum ViewItemKind
{
    /// <summary>An event was stored.</summary>
    Event,

    /// <summary>An event got its verdict (approved or rejected): it leaves the review queue.</summary>
    Verdict,

    /// <summary>Feedback that is not a verdict (a comment, an end user's score).</summary>
    Feedback,

    /// <summary>A session was started: its conversation's summary takes its name, metadata and start, and counts nothing.</summary>
    Session,
}

/// <summary>
/// One write of an ingest slot, reduced to what the derived views read: never the event's data. Names are short
/// because a slot's items travel in one queue message.
/// </summary>
public sealed record ViewItem
{
    [JsonPropertyName("k")] public ViewItemKind Kind { get; init; }
    [JsonPropertyName("t")] public required string Tenant { get; init; }
    [JsonPropertyName("s")] public required string SortKey { get; init; }
    [JsonPropertyName("c")] public required string Conversation { get; init; }
    [JsonPropertyName("y")] public string Type { get; init; } = string.Empty;
    [JsonPropertyName("ts")] public DateTimeOffset Timestamp { get; init; }
    [JsonPropertyName("r")] public string? Role { get; init; }
    [JsonPropertyName("m")] public string? Model { get; init; }
    [JsonPropertyName("u")] public string? User { get; init; }
    [JsonPropertyName("pt")] public long PromptTokens { get; init; }
    [JsonPropertyName("ct")] public long CompletionTokens { get; init; }
    [JsonPropertyName("tt")] public long TotalTokens { get; init; }
    [JsonPropertyName("hu")] public bool HasUsage { get; init; }
    [JsonPropertyName("msg")] public bool IsMessage { get; init; }
    [JsonPropertyName("rv")] public bool NeedsReview { get; init; }

    /// <summary>The user's words, truncated: a title candidate for the conversation.</summary>
    [JsonPropertyName("ti")] public string? TitleText { get; init; }

    /// <summary>The assistant's words, truncated: the conversation's last-assistant preview.</summary>
    [JsonPropertyName("pv")] public string? AssistantPreview { get; init; }

    /// <summary>For a verdict: the ingest slot the judged event was stored in (where its review-queue entry is).</summary>
    [JsonPropertyName("rs")] public string? ReviewSlot { get; init; }

    /// <summary>For a verdict: approved or rejected.</summary>
    [JsonPropertyName("v")] public string? Verdict { get; init; }

    /// <summary>For a session: its name. Left out of other items' messages.</summary>
    [JsonPropertyName("n")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }

    /// <summary>For a session: its metadata, as compact JSON.</summary>
    [JsonPropertyName("md")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Metadata { get; init; }
}

/// <summary>The queue message that carries a sealed slot's items to the views function.</summary>
public sealed record SlotWork([property: JsonPropertyName("slot")] string Slot, [property: JsonPropertyName("items")] IReadOnlyList<ViewItem> Items);

/// <summary>
/// The intent a slot leaves before anything of it is written: which partitions it writes to. If its instance dies
/// before the slot's work is queued, the intent becomes visible and the recovery function rebuilds the work from
/// those partitions.
/// </summary>
public sealed record SlotIntent([property: JsonPropertyName("slot")] string Slot, [property: JsonPropertyName("partitions")] IReadOnlyList<string> Partitions);
