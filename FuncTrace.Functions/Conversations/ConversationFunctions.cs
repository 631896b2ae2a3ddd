using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Conversations;

/// <summary>
/// Conversations, summarised from their events.
/// <code>
/// GET    api/conversations               ListConversations    newest activity first (user=, include_archived=, limit, cursor)
/// GET    api/conversations/{id}          GetConversation      the summary and a page of its events, oldest first
/// POST   api/conversations/{id}/archive  ArchiveConversation  hide it from lists; still readable by id
/// DELETE api/conversations/{id}          DeleteConversation   soft delete: the same as archive
/// </code>
/// </summary>
public sealed class ConversationFunctions(ConversationService conversations, EventReader reader)
{
    private const string Conversations = "api/conversations";
    private const string Conversation = "api/conversations/{id}";
    private const string ArchiveRoute = "api/conversations/{id}/archive";

    [Function("ListConversations")]
    [Access(Access.AnyRole)]
    public async Task<Ok<ConversationListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversations)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new ConversationQuery(
            QueryParameters.Optional(request, "user"),
            QueryParameters.Boolean(request, "include_archived", defaultValue: false),
            QueryParameters.Limit(request),
            QueryParameters.Optional(request, "cursor"));
        var page = await conversations.ListAsync(request.Caller().DataTenant, query, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new ConversationListResponse(page.Conversations.Select(ConversationResponse.From).ToList(), page.NextCursor));
    }

    [Function("GetConversation")]
    [Access(Access.AnyRole)]
    public async Task<Ok<ConversationDetailResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Conversation)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = QueryParameters.Limit(request);
        var cursor = QueryParameters.Optional(request, "cursor");
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        var summary = await conversations.GetAsync(tenant, id, cancellationToken) ?? throw ConversationService.NotFound(id);
        var page = await reader.ListConversationAsync(tenant, new EventQuery(id, null, null, null, limit, cursor, Descending: false), cancellationToken);
        return TypedResults.Ok(new ConversationDetailResponse(ConversationResponse.From(summary), page.Events.Select(EventResponse.From).ToList(), page.NextCursor));
    }

    [Function("ArchiveConversation")]
    [Access(Access.Ingest)]
    public Task<Ok<ConversationResponse>> Archive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ArchiveRoute)] HttpRequest request, string id) => ArchiveAsync(request, id);

    [Function("DeleteConversation")]
    [Access(Access.Ingest)]
    public Task<Ok<ConversationResponse>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Conversation)] HttpRequest request, string id) => ArchiveAsync(request, id);

    private async Task<Ok<ConversationResponse>> ArchiveAsync(HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var archived = await conversations.ArchiveAsync(request.Caller().DataTenant, id, request.HttpContext.RequestAborted);
        return TypedResults.Ok(ConversationResponse.From(archived));
    }
}
