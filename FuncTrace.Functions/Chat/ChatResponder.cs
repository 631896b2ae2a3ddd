using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Chat;

/// <summary>
/// Answers a started turn: as Server-Sent Events (<c>start</c> with both ids, <c>token</c>s, then <c>done</c> or <c>error</c>)
/// or as one JSON answer. The reply is stored when the model's answer is complete; a client that hangs up mid-stream
/// gets what was generated so far stored with <c>finish_reason</c> <c>client_disconnected</c>; a failed model call stores
/// no reply and frees the turn for a retry.
/// </summary>
public sealed class ChatResponder(ChatService chat, LlmService llm, ILogger<ChatResponder> logger)
{
    public const string ClientDisconnected = "client_disconnected";

    public async Task StreamAsync(HttpContext context, ChatStart start)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(start);
        var aborted = context.RequestAborted;
        var events = EventStream.Start(context);
        var user = start.UserMessage;
        if (start.Pending is not { } pending)
        {
            var stored = start.StoredReply!;
            await events.WriteAsync(new ChatStartEvent(user.ConversationId, user.Id, user.ParentId, stored.Id, Replayed: true), aborted);
            if (stored.Content.Length > 0)
            {
                await events.WriteAsync(new ChatTokenEvent(stored.Content), aborted);
            }
            await events.WriteAsync(new ChatDoneEvent(user.ConversationId, user.Id, ChatMessageResponse.From(stored)), aborted);
            return;
        }

        var stream = llm.Stream(pending.System, pending.Messages, pending.Call);
        var disconnected = false;
        try
        {
            await events.WriteAsync(new ChatStartEvent(user.ConversationId, user.Id, user.ParentId, pending.ReplyId, Replayed: false), aborted);
            await foreach (var token in stream.WithCancellation(aborted))
            {
                await events.WriteAsync(new ChatTokenEvent(token), aborted);
            }
        }
        catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            disconnected = true;
        }
        catch (FuncTraceException ex)
        {
            // The 200 is already sent: the failure can only be reported in the stream.
            logger.LogWarning(ex, "The model failed answering message {MessageId} after {Characters} characters", user.Id, stream.Text.Length);
            await chat.ReleaseAsync(pending);
            await WriteErrorAsync(events, user, ex, aborted);
            return;
        }

        ChatMessageRecord reply;
        try
        {
            reply = disconnected
                ? await chat.StoreReplyAsync(pending, stream.Text, ClientDisconnected, usage: null, stream.ToolCalls, stream.Model)
                : await chat.StoreReplyAsync(pending, stream.Text, stream.FinishReason ?? "stop", stream.Usage, stream.ToolCalls, stream.Model);
        }
        catch (Exception ex) when (ex is FuncTraceException or Azure.RequestFailedException)
        {
            logger.LogWarning(ex, "The reply to message {MessageId} could not be stored", user.Id);
            await chat.ReleaseAsync(pending);
            if (!disconnected)
            {
                await WriteErrorAsync(events, user, new FuncTraceException(ErrorCode.ServiceUnavailable, "The reply could not be stored; regenerate it."), aborted);
            }
            return;
        }
        if (!disconnected)
        {
            await events.WriteAsync(new ChatDoneEvent(user.ConversationId, user.Id, ChatMessageResponse.From(reply)), aborted);
        }
    }

    /// <summary>
    /// The whole answer at once. The call is not tied to the request: a client that hangs up still gets its reply stored
    /// whole, to read or replay. A failure frees the turn and names the stored user message.
    /// </summary>
    public async Task<ChatResponse> AnswerAsync(ChatStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var user = start.UserMessage;
        if (start.Pending is not { } pending)
        {
            return new ChatResponse(user.ConversationId, ChatMessageResponse.From(user), ChatMessageResponse.From(start.StoredReply!), Replayed: true);
        }
        LlmAnswer answer;
        try
        {
            answer = await llm.AnswerAsync(pending.System, pending.Messages, pending.Call, cancellationToken: CancellationToken.None);
        }
        catch (FuncTraceException ex)
        {
            await chat.ReleaseAsync(pending);
            throw WithMessage(ex, user);
        }
        var reply = await chat.StoreReplyAsync(pending, answer.Text, answer.FinishReason ?? "stop", answer.Usage, answer.ToolCalls ?? [], answer.Model);
        return new ChatResponse(user.ConversationId, ChatMessageResponse.From(user), ChatMessageResponse.From(reply), Replayed: false);
    }

    private async Task WriteErrorAsync(EventStream events, ChatMessageRecord user, FuncTraceException error, CancellationToken cancellationToken)
    {
        try
        {
            await events.WriteAsync(new ChatErrorEvent(ApiError.Name(error.Code), error.Message, user.ConversationId, user.Id, error.Details), cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            logger.LogInformation("The client left before the error of message {MessageId} could be sent", user.Id);
        }
    }

    private static FuncTraceException WithMessage(FuncTraceException error, ChatMessageRecord user)
    {
        var details = new Dictionary<string, object?>(error.Details ?? new Dictionary<string, object?>())
        {
            ["conversation_id"] = user.ConversationId,
            ["user_message_id"] = user.Id,
        };
        return new FuncTraceException(error.Code, error.Message, details, error);
    }
}
