using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Conversations;

/// <summary>
/// What a chat client does with one conversation besides reading it.
/// <code>
/// PATCH api/conversations/{id}          RenameConversation   {"title"}: the title stays, whatever events follow
/// GET   api/conversations/{id}/search   SearchConversation   q (case-insensitive, in its messages), limit, cursor
/// GET   api/conversations/{id}/export   ExportConversation   format=json|markdown, streamed as its events are read
/// </code>
/// </summary>
public sealed class ConversationToolFunctions(ConversationService conversations, ConversationSearch search, ConversationExport export, TimeProvider time)
{
    public const int MaxTitleLength = 200;
    private const string Conversation = "api/conversations/{id}";
    private const string SearchRoute = "api/conversations/{id}/search";
    private const string ExportRoute = "api/conversations/{id}/export";

    [Function("RenameConversation")]
    [Access(Access.Ingest)]
    public async Task<Ok<ConversationResponse>> Rename(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = Conversation)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<RenameConversationRequest>(request, JsonBody.SnakeCase);
        var title = Validation.Required(body.Title?.Trim(), "title", MaxTitleLength);
        if (title.Any(char.IsControl))
        {
            throw FuncTraceException.Validation("'title' may not contain control characters such as line breaks.", "title");
        }
        var renamed = await conversations.RenameAsync(request.Caller().DataTenant, id, title, request.HttpContext.RequestAborted);
        return TypedResults.Ok(ConversationResponse.From(renamed));
    }

    [Function("SearchConversation")]
    [Access(Access.AnyRole)]
    public async Task<Ok<ConversationSearchResponse>> Search(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = SearchRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new ConversationSearchQuery(id, ConversationSearch.ValidateText(QueryParameters.Optional(request, "q")),
            QueryParameters.Limit(request, defaultLimit: 20, maxLimit: 100), QueryParameters.Optional(request, "cursor"));
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        _ = await conversations.GetAsync(tenant, id, cancellationToken) ?? throw ConversationService.NotFound(id);
        var page = await search.SearchAsync(tenant, query, cancellationToken);
        return TypedResults.Ok(new ConversationSearchResponse(id, query.Text, page.Matches, page.Scanned, page.NextCursor));
    }

    [Function("ExportConversation")]
    [Access(Access.AnyRole)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/json", "text/markdown")]
    public async Task<EmptyHttpResult> Export(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ExportRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var format = ConversationExport.ParseFormat(QueryParameters.Optional(request, "format"));
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        var summary = await conversations.GetAsync(tenant, id, cancellationToken) ?? throw ConversationService.NotFound(id);
        await export.WriteAsync(request.HttpContext.Response, tenant, summary, format, time.GetUtcNow(), cancellationToken);
        return TypedResults.Empty;
    }
}
