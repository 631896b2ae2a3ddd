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

    /// <summary>A batch-scoring job was created: the tenant's job counter rises by one.</summary>
    Job,
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

/// <summary>
/// A slot's one queue message. Sent hidden before anything of the slot is written, it is the slot's <em>intent</em>:
/// <see cref="Partitions"/> lists where the slot writes. When the slot is sealed the same message is rewritten as its
/// <em>work</em> (<see cref="Items"/>, or <see cref="Overflow"/> when they are kept in a blob) and made visible. An intent
/// that becomes visible as an intent means its instance died: recovery rebuilds the work from those partitions.
/// </summary>
public sealed record SlotMessage
{
    [JsonPropertyName("slot")] public required string Slot { get; init; }
    [JsonPropertyName("partitions")] public IReadOnlyList<string>? Partitions { get; init; }
    [JsonPropertyName("items")] public IReadOnlyList<ViewItem>? Items { get; init; }
    [JsonPropertyName("overflow")] public bool Overflow { get; init; }

    public bool IsWork => Items is not null || Overflow;
}
