using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Agents;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Chat;

/// <summary>A user message ready to be answered: what the model is sent, and where and under which id its reply goes.</summary>
public sealed record PendingReply(
    string Tenant,
    ChatMessageRecord UserMessage,
    string? User,
    string? AgentId,
    string System,
    IReadOnlyList<LlmMessage> Messages,
    LlmCallOptions Call,
    string ReplyId,
    DateTimeOffset ReplyTime,
    TableEntity Turn,
    string? KeyId);

/// <summary>Either a reply to produce, or — for a replay — the turn as it was stored.</summary>
public sealed record ChatStart(PendingReply? Pending, ChatMessageRecord UserMessage, ChatMessageRecord? StoredReply);

/// <summary>
/// Chat turns over the events core. A turn stores the user message (with its turn row, <see cref="ChatRows"/>) before the
/// model is asked, and the reply (with the turn's new state) in one transaction when the answer is complete; a
/// regenerate adds another reply to the same user message. Replays are found by the user message's id (the client's
/// <c>client_message_id</c> or its <c>Idempotency-Key</c>) or a regenerate's key row, and answered from storage.
/// </summary>
public sealed class ChatService(
    EventService events,
    EventReader reader,
    ChatHistory history,
    AgentService agents,
    LlmService llm,
    TableServiceClient tables,
    StorageNames names,
    IOptions<ChatOptions> options,
    TimeProvider time,
    ILogger<ChatService> logger)
{
    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));
    private readonly ChatOptions _options = options.Value;

    /// <summary>Checks the request, stores the user message under the active branch (or <c>parent_message_id</c>), and holds its turn.</summary>
    public async Task<ChatStart> BeginAsync(string tenant, ChatRequest body, string? idempotencyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var message = Validation.Required(body.Message, "message", _options.MaxMessageLength);
        var requested = body.ConversationId is null ? null : EventValidation.ValidateConversationId(body.ConversationId);
        var messageId = body.ClientMessageId is null ? idempotencyId : Validation.KeySafe(body.ClientMessageId, "client_message_id", EventValidation.MaxIdLength);
        var parentId = body.ParentMessageId is null ? null : Validation.KeySafe(body.ParentMessageId, "parent_message_id", EventValidation.MaxIdLength);
        if (body.AgentId is not null)
        {
            Validation.KeySafe(body.AgentId, "agent_id", EventValidation.MaxIdLength);
        }
        if (body.User is { Length: > 254 })
        {
            throw FuncTraceException.Validation("'user' is longer than 254 characters.", "user");
        }
        if (parentId is not null && requested is null)
        {
            throw FuncTraceException.Validation("'parent_message_id' needs the 'conversation_id' it belongs to.", "parent_message_id");
        }
        // A new conversation named by an idempotent request gets an id derived from it, so its replay lands in the same one.
        var conversation = requested ?? (messageId is null ? EventKeys.NewSessionId(time.GetUtcNow()) : DerivedConversation(messageId));
        if (messageId is not null && await history.GetAsync(tenant, conversation, messageId, cancellationToken) is { } earlier)
        {
            return earlier.Role == "user" && earlier.Content == message
                ? await ResumeAsync(tenant, earlier, body.User, cancellationToken)
                : throw FuncTraceException.Conflict($"Message id '{messageId}' was used for a different message.");
        }

        var agent = body.AgentId is null ? null : await agents.RequireReadyAsync(tenant, body.AgentId, cancellationToken);
        RequireLlm();
        ChatMessageRecord? parent;
        IReadOnlyList<ChatMessageRecord> recent;
        if (parentId is not null)
        {
            parent = await history.GetAsync(tenant, conversation, parentId, cancellationToken)
                ?? throw FuncTraceException.Validation($"'parent_message_id' names no message of conversation '{conversation}'.", "parent_message_id");
            recent = [];
        }
        else
        {
            recent = await history.RecentAsync(tenant, conversation, Math.Min(2 * _options.HistoryMessages + 2, 200), cancellationToken);
            parent = recent.Count > 0 ? recent[0] : null;
        }
        var earlierMessages = parent is null ? [] : (await history.BranchAsync(tenant, parent, _options.HistoryMessages, recent, cancellationToken)).Branch;

        var partition = EventKeys.ConversationPartition(tenant, conversation);
        var holder = Holder();
        TableEntity? turn = null;
        var item = new NewEvent(messageId, conversation, ChatMessageRecord.EventType, null, ChatMessageRecord.UserData(message, agent?.Id), null, "user", null, null,
            body.User, null, parent?.Id);
        var (stored, created) = await events.CreateAsync(tenant, item, async (row, ct) =>
        {
            turn = ChatRows.Answer(partition, EventRows.SortKeyOf(row), holder, LeaseEnd());
            var written = await _events.SubmitTransactionAsync([new(TableTransactionActionType.Add, row), new(TableTransactionActionType.Add, turn)], ct);
            turn.ETag = ChatRows.ETagOf(written, 1);
            return row;
        }, cancellationToken);
        var user = ChatMessageRecord.From(stored);
        if (!created)
        {
            return await ResumeAsync(tenant, user, body.User, cancellationToken);
        }
        // The write's answer was lost and its retry met the rows: the turn is this request's, at the ETag stored now.
        turn ??= await TurnAsync(partition, SortKeyOf(await StoredAsync(tenant, user.Id, cancellationToken)), cancellationToken);
        if (turn is null || turn.GetString("Holder") != holder)
        {
            throw InProgress(user.Id);
        }
        var llmMessages = ChatHistory.ForModel(earlierMessages, _options.HistoryCharacters);
        llmMessages.Add(new LlmMessage("user", message));
        return new ChatStart(Pending(tenant, user, body.User, agent, llmMessages, turn, keyId: null), user, null);
    }

    /// <summary>
    /// A new reply to the user message behind <see cref="RegenerateRequest.MessageId"/> (an assistant message), or behind
    /// the active branch's end, as a sibling of the replies it has.
    /// </summary>
    public async Task<ChatStart> RegenerateAsync(string tenant, string conversationId, RegenerateRequest body, string? idempotencyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var conversation = EventValidation.ValidateConversationId(conversationId, "conversation_id");
        var named = body.MessageId is null ? null : Validation.KeySafe(body.MessageId, "message_id", EventValidation.MaxIdLength);
        if (body.AgentId is not null)
        {
            Validation.KeySafe(body.AgentId, "agent_id", EventValidation.MaxIdLength);
        }
        var partition = EventKeys.ConversationPartition(tenant, conversation);
        if (idempotencyId is not null
            && (await _events.GetEntityIfExistsAsync<TableEntity>(partition, ChatRows.KeyKey(idempotencyId), cancellationToken: cancellationToken)).ValueOrNull() is { } key)
        {
            var reply = await history.GetAsync(tenant, conversation, key.GetString("ReplyId"), cancellationToken)
                ?? throw FuncTraceException.Conflict("The reply this Idempotency-Key made cannot be read; retry.");
            var answered = await history.GetAsync(tenant, conversation, reply.ParentId!, cancellationToken)
                ?? throw FuncTraceException.Conflict("The reply this Idempotency-Key made cannot be read; retry.");
            return new ChatStart(null, answered, reply);
        }

        IReadOnlyList<ChatMessageRecord> recent = [];
        ChatMessageRecord target;
        if (named is not null)
        {
            target = await history.GetAsync(tenant, conversation, named, cancellationToken)
                ?? throw FuncTraceException.NotFound($"Conversation '{conversation}' has no message '{named}'.");
            if (target.Role != "assistant")
            {
                throw FuncTraceException.Validation("'message_id' must name an assistant message; its user message is answered again.", "message_id");
            }
        }
        else
        {
            recent = await history.RecentAsync(tenant, conversation, Math.Min(2 * _options.HistoryMessages + 2, 200), cancellationToken);
            target = recent.Count > 0 ? recent[0] : throw FuncTraceException.NotFound($"Conversation '{conversation}' has no chat messages.");
        }
        var user = target.Role == "user"
            ? target
            : recent.FirstOrDefault(m => m.Id == target.ParentId) ?? await history.GetAsync(tenant, conversation, target.ParentId ?? string.Empty, cancellationToken)
                ?? throw FuncTraceException.Conflict($"The user message that reply '{target.Id}' answers cannot be read.");
        if (user.Role != "user")
        {
            throw FuncTraceException.Validation($"Message '{target.Id}' does not answer a user message.", "message_id");
        }

        var agentId = body.AgentId ?? user.AgentId;
        var agent = agentId is null ? null : await agents.RequireReadyAsync(tenant, agentId, cancellationToken);
        RequireLlm();
        var userRow = await StoredAsync(tenant, user.Id, cancellationToken);
        var turn = await ClaimAsync(partition, SortKeyOf(userRow), null, user.Id, cancellationToken);
        var (branch, _) = await history.BranchAsync(tenant, user, _options.HistoryMessages + 1, recent, cancellationToken);
        var messages = ChatHistory.ForModel(branch, _options.HistoryCharacters + user.Content.Length);
        return new ChatStart(Pending(tenant, user, userRow.Record.User, agent, messages, turn, idempotencyId), user, null);
    }

    /// <summary>Stores the reply and the turn's new state in one transaction; a turn taken over meanwhile stores nothing.</summary>
    public async Task<ChatMessageRecord> StoreReplyAsync(PendingReply pending, string content, string finishReason, LlmUsage? usage, IReadOnlyList<LlmToolCall> toolCalls, string? model)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var item = new NewEvent(pending.ReplyId, pending.UserMessage.ConversationId, ChatMessageRecord.EventType, pending.ReplyTime,
            ChatMessageRecord.AssistantData(content, pending.AgentId, finishReason, toolCalls), null, "assistant",
            model ?? pending.Call.Model ?? llm.Options.Model,
            usage is null ? null : new EventUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens),
            pending.User, null, pending.UserMessage.Id);
        var (stored, _) = await events.CreateAsync(pending.Tenant, item, async (row, ct) =>
        {
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, row),
                new(TableTransactionActionType.UpdateReplace, ChatRows.Answered(pending.Turn, pending.ReplyId), pending.Turn.ETag),
            };
            if (pending.KeyId is not null)
            {
                actions.Add(new(TableTransactionActionType.Add, ChatRows.Key(row.PartitionKey, pending.KeyId, pending.ReplyId)));
            }
            await _events.SubmitTransactionAsync(actions, ct);
            return row;
        }, CancellationToken.None);
        return ChatMessageRecord.From(stored);
    }

    /// <summary>Frees the turn after the model failed, so a retry may answer it; if this fails too, the lease runs out.</summary>
    public async Task ReleaseAsync(PendingReply pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        try
        {
            await _events.UpdateEntityAsync(ChatRows.Failed(pending.Turn), pending.Turn.ETag, TableUpdateMode.Replace, CancellationToken.None);
        }
        catch (RequestFailedException ex)
        {
            logger.LogWarning(ex, "Could not free the turn of message {MessageId}; it frees itself when its lease ends", pending.UserMessage.Id);
        }
    }

    /// <summary>A stored user message met again: its first reply when it has one, else the turn is taken to answer it.</summary>
    private async Task<ChatStart> ResumeAsync(string tenant, ChatMessageRecord user, string? owner, CancellationToken cancellationToken)
    {
        var partition = EventKeys.ConversationPartition(tenant, user.ConversationId);
        var userRow = await StoredAsync(tenant, user.Id, cancellationToken);
        var turn = await TurnAsync(partition, SortKeyOf(userRow), cancellationToken);
        if (turn?.GetString("ReplyId") is { } replyId
            && await history.GetAsync(tenant, user.ConversationId, replyId, cancellationToken) is { } reply)
        {
            return new ChatStart(null, user, reply);
        }
        var agent = user.AgentId is null ? null : await agents.RequireReadyAsync(tenant, user.AgentId, cancellationToken);
        RequireLlm();
        var claimed = await ClaimAsync(partition, SortKeyOf(userRow), turn, user.Id, cancellationToken);
        var (branch, _) = await history.BranchAsync(tenant, user, _options.HistoryMessages + 1, [], cancellationToken);
        var messages = ChatHistory.ForModel(branch, _options.HistoryCharacters + user.Content.Length);
        return new ChatStart(Pending(tenant, user, owner ?? userRow.Record.User, agent, messages, claimed, keyId: null), user, null);
    }

    /// <summary>Takes the turn for this request, unless another holds it: then the request is a 409.</summary>
    private async Task<TableEntity> ClaimAsync(string partition, string userSortKey, TableEntity? known, string userMessageId, CancellationToken cancellationToken)
    {
        var turn = known ?? await TurnAsync(partition, userSortKey, cancellationToken);
        if (turn is not null && ChatRows.IsHeld(turn, time.GetUtcNow()))
        {
            throw InProgress(userMessageId);
        }
        var claimed = ChatRows.Answer(partition, userSortKey, Holder(), LeaseEnd(), turn);
        try
        {
            var response = turn is null
                ? await _events.AddEntityAsync(claimed, CancellationToken.None)
                : await _events.UpdateEntityAsync(claimed, turn.ETag, TableUpdateMode.Replace, CancellationToken.None);
            claimed.ETag = response.Headers.ETag ?? default;
            return claimed;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw InProgress(userMessageId);
        }
    }

    private PendingReply Pending(string tenant, ChatMessageRecord user, string? owner, Agent? agent, IReadOnlyList<LlmMessage> messages, TableEntity turn, string? keyId)
    {
        // The reply sorts after its user message even when both fall in the same millisecond.
        var now = time.GetUtcNow();
        var replyTime = now > user.Timestamp ? now : user.Timestamp.AddMilliseconds(1);
        return new PendingReply(tenant, user, owner, agent?.Id, agent?.Definition.SystemPrompt ?? _options.DefaultSystemPrompt, messages,
            agent?.CallOptions() ?? LlmCallOptions.Default, EventKeys.NewSortKey(replyTime, user.ConversationId), replyTime, turn, keyId);
    }

    private async Task<TableEntity?> TurnAsync(string partition, string userSortKey, CancellationToken cancellationToken) =>
        (await _events.GetEntityIfExistsAsync<TableEntity>(partition, ChatRows.TurnKey(userSortKey), cancellationToken: cancellationToken)).ValueOrNull();

    private void RequireLlm()
    {
        // Checked before the user message is stored: a message that can never be answered is not kept.
        if (!llm.Options.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
    }

    private DateTimeOffset LeaseEnd() => time.GetUtcNow().AddSeconds(_options.AnswerLeaseSeconds);

    private static string Holder() => Guid.NewGuid().ToString("N");

    private static string SortKeyOf(StoredEvent stored) => stored.SortKey;

    private async Task<StoredEvent> StoredAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await reader.GetAsync(tenant, id, cancellationToken) ?? throw FuncTraceException.Conflict($"Message '{id}' cannot be read; retry.");

    private static string DerivedConversation(string messageId) =>
        "chat-" + Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("conversation\n" + messageId)))[..22];

    private static FuncTraceException InProgress(string userMessageId) => new(
        ErrorCode.Conflict,
        "This message is being answered by another request; read the conversation, or retry when it is done.",
        new Dictionary<string, object?> { ["user_message_id"] = userMessageId });
}
