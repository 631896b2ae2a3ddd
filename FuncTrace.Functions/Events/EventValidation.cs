using System.Text;
using System.Text.Json;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Events;

/// <summary>The checks every event passes before anything is written, whichever face it came through.</summary>
public static class EventValidation
{
    public const int MaxIdLength = 128;
    public const int MaxConversationIdLength = 256;
    public const int MaxTypeLength = 128;

    /// <summary>Metadata stays in the row (unlike data it never moves to a blob), so it is kept small.</summary>
    public const int MaxMetadataBytes = 16 * 1024;

    /// <summary>
    /// The most tokens one call can report: far above any model's context, far below what could make a total wrap
    /// (totals saturate besides).
    /// </summary>
    public const long MaxTokens = 100_000_000;

    public static void Validate(NewEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Id is not null)
        {
            Validation.KeySafe(item.Id, "id", MaxIdLength);
        }
        ValidateConversationId(item.ConversationId);
        Validation.KeySafe(item.EventType, "event_type", MaxTypeLength);
        if (item.Timestamp is { } timestamp && (timestamp < EventKeys.MinTimestamp || timestamp > EventKeys.MaxTimestamp))
        {
            throw FuncTraceException.Validation("'timestamp' must be between 1970-01-01 and 9999-12-31.", "timestamp");
        }
        if (item.Data.ValueKind != JsonValueKind.Object)
        {
            throw FuncTraceException.Validation("'data' must be a JSON object.", "data");
        }
        if (item.Role is { Length: > 32 })
        {
            throw FuncTraceException.Validation("'role' is longer than 32 characters.", "role");
        }
        if (item.Model is { Length: > 200 })
        {
            throw FuncTraceException.Validation("'model' is longer than 200 characters.", "model");
        }
        if (item.Usage is { } usage)
        {
            foreach (var (value, name) in new[] { (usage.PromptTokens, "prompt_tokens"), (usage.CompletionTokens, "completion_tokens"), (usage.TotalTokens, "total_tokens") })
            {
                if (value is < 0 or > MaxTokens)
                {
                    throw FuncTraceException.Validation($"'usage.{name}' must be between 0 and {MaxTokens}.", "usage." + name);
                }
            }
        }
        if (item.User is { Length: > 254 })
        {
            throw FuncTraceException.Validation("'user' is longer than 254 characters.", "user");
        }
        if (item.ParentId is not null)
        {
            Validation.KeySafe(item.ParentId, "parent_id", MaxIdLength);
        }
        if (item.Metadata is { } metadata
            && (metadata.ValueKind != JsonValueKind.Object || Encoding.UTF8.GetByteCount(EventRows.CompactJson(metadata)) > MaxMetadataBytes))
        {
            throw FuncTraceException.Validation($"'metadata' must be a JSON object of at most {MaxMetadataBytes} bytes.", "metadata");
        }
    }

    /// <summary>Whether <paramref name="conversationId"/> could name a conversation (what <see cref="ValidateConversationId"/> accepts).</summary>
    public static bool IsConversationId(string? conversationId) =>
        !string.IsNullOrWhiteSpace(conversationId) && conversationId.Length <= MaxConversationIdLength
        && conversationId.AsSpan().IndexOfAny("/\\#?") < 0 && !conversationId.Any(char.IsControl);

    /// <summary>Whether <paramref name="conversationId"/> can name a conversation; throws a validation error naming the field if not.</summary>
    public static string ValidateConversationId(string? conversationId, string field = "conversation_id") =>
        Validation.KeySafe(conversationId, field, MaxConversationIdLength);
}
