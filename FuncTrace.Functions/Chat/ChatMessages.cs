using System.Text.Json;
using System.Text.Json.Serialization;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Agents;
using FuncTrace.Functions.Events;

namespace FuncTrace.Functions.Chat;

/// <summary>The body of <c>POST api/chat</c>.</summary>
public sealed record ChatRequest(string? Message, string? ConversationId, string? AgentId, string? ParentMessageId, string? ClientMessageId, string? User);

/// <summary>The optional body of <c>POST api/chat/{conversation_id}/regenerate</c>: which reply to redo, with which agent.</summary>
public sealed record RegenerateRequest(string? MessageId, string? AgentId);

/// <summary>
/// A chat message: a <c>chat_message</c> event whose role is user or assistant, <see cref="ParentId"/> the message it
/// follows (null for a conversation's first). An assistant's carries why it ended, its usage and the tool calls it asked for.
/// </summary>
public sealed record ChatMessageRecord(
    string Id,
    string ConversationId,
    string? ParentId,
    string Role,
    string Content,
    string? AgentId,
    string? Model,
    EventUsage? Usage,
    string? FinishReason,
    IReadOnlyList<LlmToolCall> ToolCalls,
    DateTimeOffset Timestamp)
{
    public const string EventType = "chat_message";

    public static bool Is(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.EventType == EventType && record.Role is "user" or "assistant";
    }

    public static ChatMessageRecord From(EventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.Id, record.ConversationId, record.ParentId, record.Role ?? "user", Text(record.Data, "content") ?? string.Empty,
            Text(record.Data, "agent_id"), record.Model, record.Usage, Text(record.Data, "finish_reason"), ToolCallJson.Read(record.Data), record.Timestamp);
    }

    public static JsonElement UserData(string content, string? agentId) => JsonSerializer.SerializeToElement(
        new Dictionary<string, string?> { ["content"] = content, ["agent_id"] = agentId }.Where(p => p.Value is not null).ToDictionary());

    public static JsonElement AssistantData(string content, string? agentId, string finishReason, IReadOnlyList<LlmToolCall> toolCalls)
    {
        var data = new Dictionary<string, object?> { ["content"] = content, ["finish_reason"] = finishReason };
        if (agentId is not null)
        {
            data["agent_id"] = agentId;
        }
        if (toolCalls.Count > 0)
        {
            data["tool_calls"] = toolCalls.Select(ToolCallJson.From).ToList();
        }
        return JsonSerializer.SerializeToElement(data, Shared.JsonBody.SnakeCase);
    }

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

public sealed record ChatMessageResponse(
    string Id,
    string ConversationId,
    string? ParentMessageId,
    string Role,
    string Content,
    string? AgentId,
    string? Model,
    string? FinishReason,
    TokenUsageResponse? Usage,
    IReadOnlyList<ToolCallJson> ToolCalls,
    DateTimeOffset CreatedAt)
{
    public static ChatMessageResponse From(ChatMessageRecord message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.Id, message.ConversationId, message.ParentId, message.Role, message.Content, message.AgentId, message.Model, message.FinishReason,
            message.Usage is { } u ? new TokenUsageResponse(u.PromptTokens ?? 0, u.CompletionTokens ?? 0, u.Total) : null,
            message.ToolCalls.Select(ToolCallJson.From).ToList(), message.Timestamp);
    }
}

/// <summary>A chat turn as JSON: both messages (<c>replayed</c> when a replay found them stored).</summary>
public sealed record ChatResponse(string ConversationId, ChatMessageResponse UserMessage, ChatMessageResponse AssistantMessage, bool Replayed);

/// <summary><c>GET api/chat/{conversation_id}</c>: a page of the active branch (oldest first) or of every message (the tree).</summary>
public sealed record ChatHistoryResponse(string ConversationId, string Branches, IReadOnlyList<ChatMessageResponse> Messages, string? NextCursor);

/// <summary>The stream's first event: both messages' ids, before the model is asked.</summary>
public sealed record ChatStartEvent(string ConversationId, string UserMessageId, string? ParentMessageId, string AssistantMessageId, bool Replayed)
{
    [JsonPropertyOrder(-1)]
    public string Type => "start";
}

public sealed record ChatTokenEvent(string Content)
{
    [JsonPropertyOrder(-1)]
    public string Type => "token";
}

/// <summary>The stream's last event when the reply was stored: the reply with its finish reason and usage.</summary>
public sealed record ChatDoneEvent(string ConversationId, string UserMessageId, ChatMessageResponse AssistantMessage)
{
    [JsonPropertyOrder(-1)]
    public string Type => "done";
}

/// <summary>The stream's last event when the model (or storing the reply) failed: no reply was stored.</summary>
public sealed record ChatErrorEvent(string Code, string Error, string ConversationId, string UserMessageId, IReadOnlyDictionary<string, object?>? Details)
{
    [JsonPropertyOrder(-1)]
    public string Type => "error";
}
