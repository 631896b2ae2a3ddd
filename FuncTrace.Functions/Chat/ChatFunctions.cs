using System.Text;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Chat;

/// <summary>
/// Chat that keeps both turns: each message is an event of its conversation, replies hang under the message they answer.
/// <code>
/// POST api/chat                  Chat            message (+ conversation_id, agent_id, parent_message_id, client_message_id, user);
///                                                SSE by default, JSON with Accept: application/json (idempotent with client_message_id or Idempotency-Key)
/// POST api/chat/{id}/regenerate  RegenerateChat  another reply to the user message of message_id (default: of the active branch's end)
/// GET  api/chat/{id}             GetChat         the active branch, newest page first (branches=all: every message, oldest first)
/// </code>
/// </summary>
public sealed class ChatFunctions(ChatService chat, ChatResponder responder, ChatHistory history, EventReader reader)
{
    private const string ChatRoute = "api/chat";
    private const string ConversationRoute = "api/chat/{id}";
    private const string RegenerateRoute = "api/chat/{id}/regenerate";
    private const int MaxPage = 200;

    [Function("Chat")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(ChatRequest), Example = """{"message": "What is the capital of France?", "conversation_id": "conv-1"}""")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    public async Task<Results<Ok<ChatResponse>, EmptyHttpResult>> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ChatRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<ChatRequest>(request, JsonBody.SnakeCase);
        var start = await chat.BeginAsync(request.Caller().DataTenant, body, IdempotencyKey.IdFor(request, "chat"), request.HttpContext.RequestAborted);
        return await RespondAsync(request, start);
    }

    [Function("RegenerateChat")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(RegenerateRequest), Example = """{"message_id": "01M8SZ2FS9PJFRPZZZZZZZZZZZ"}""")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    public async Task<Results<Ok<ChatResponse>, EmptyHttpResult>> Regenerate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = RegenerateRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The body is optional: without one the end of the active branch is answered again.
        var body = request.ContentLength == 0 || (request.ContentLength is null && !request.HasJsonContentType())
            ? new RegenerateRequest(null, null)
            : await JsonBody.ReadAsync<RegenerateRequest>(request, JsonBody.SnakeCase);
        var start = await chat.RegenerateAsync(request.Caller().DataTenant, id, body, IdempotencyKey.IdFor(request, "regenerate"), request.HttpContext.RequestAborted);
        return await RespondAsync(request, start);
    }

    [Function("GetChat")]
    [Access(Access.AnyRole)]
    public async Task<Ok<ChatHistoryResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ConversationRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var conversation = EventValidation.ValidateConversationId(id, "conversation_id");
        var limit = QueryParameters.Limit(request, maxLimit: MaxPage);
        var cursor = QueryParameters.Optional(request, "cursor");
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        switch (QueryParameters.Optional(request, "branches"))
        {
            case null or "active":
                var from = cursor is null ? null : await history.GetAsync(tenant, conversation, BranchCursor.Decode(cursor), cancellationToken)
                    ?? throw FuncTraceException.Validation("The cursor does not belong to this conversation; start again without it.", "cursor");
                var known = await ReadWindowAsync(tenant, conversation, from, limit, cancellationToken);
                var last = from ?? (known.Count > 0 ? known[0] : throw NoMessages(conversation));
                var (branch, more) = await history.BranchAsync(tenant, last, limit, known, cancellationToken);
                return TypedResults.Ok(new ChatHistoryResponse(conversation, "active", branch.Select(ChatMessageResponse.From).ToList(),
                    more ? BranchCursor.Encode(branch[0].ParentId!) : null));
            case "all":
                var page = await reader.ListConversationAsync(tenant,
                    new EventQuery(conversation, ChatMessageRecord.EventType, null, null, limit, cursor, Descending: false), cancellationToken);
                if (cursor is null && page.Events.Count == 0)
                {
                    throw NoMessages(conversation);
                }
                return TypedResults.Ok(new ChatHistoryResponse(conversation, "all",
                    page.Events.Where(ChatMessageRecord.Is).Select(e => ChatMessageResponse.From(ChatMessageRecord.From(e))).ToList(), page.NextCursor));
            default:
                throw FuncTraceException.Validation("'branches' must be 'active' or 'all'.", "branches");
        }
    }

    private async Task<Results<Ok<ChatResponse>, EmptyHttpResult>> RespondAsync(HttpRequest request, ChatStart start)
    {
        if (start.Pending is null)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
        }
        if (WantsJson(request))
        {
            return TypedResults.Ok(await responder.AnswerAsync(start));
        }
        await responder.StreamAsync(request.HttpContext, start);
        return TypedResults.Empty;
    }

    /// <summary>The newest messages up to <paramref name="from"/> (all of them without it): most of a page's branch in one read.</summary>
    private async Task<IReadOnlyList<ChatMessageRecord>> ReadWindowAsync(string tenant, string conversation, ChatMessageRecord? from, int limit, CancellationToken cancellationToken)
    {
        var page = await reader.ListConversationAsync(tenant,
            new EventQuery(conversation, ChatMessageRecord.EventType, null, from?.Timestamp, Math.Min(2 * limit, QueryParameters.MaxLimit), null, Descending: true),
            cancellationToken);
        return page.Events.Where(ChatMessageRecord.Is).Select(ChatMessageRecord.From).ToList();
    }

    /// <summary>JSON only when asked for and no stream is: a stream is the default.</summary>
    private static bool WantsJson(HttpRequest request) =>
        !EventStream.IsRequested(request)
        && request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    private static FuncTraceException NoMessages(string conversation) => FuncTraceException.NotFound($"Conversation '{conversation}' has no chat messages.");

    /// <summary>Where an active-branch page goes on: the id of the message before the page's first.</summary>
    private static class BranchCursor
    {
        private const string Prefix = "b1:";

        public static string Encode(string messageId) => Base64Url.Encode(Encoding.UTF8.GetBytes(Prefix + messageId));

        public static string Decode(string cursor)
        {
            var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
            return text is not null && text.StartsWith(Prefix, StringComparison.Ordinal) && EventValidation.IsConversationId(text[Prefix.Length..])
                ? text[Prefix.Length..]
                : throw FuncTraceException.Validation("The cursor does not belong to this conversation; start again without it.", "cursor");
        }
    }
}
