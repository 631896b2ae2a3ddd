using FuncTrace.Domain.Conversations;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;
using static FuncTrace.Functions.Api.ConversationPayloads;

namespace FuncTrace.Functions.Functions;

/// <summary>Conversations, summarised as their events arrive: <c>/api/conversations</c>.</summary>
public static class ConversationFunctions
{
    public static IEndpointRouteBuilder MapConversationFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/conversations").WithTags("Conversations");
        group.MapGet("/", ListConversations).RequireAuthorization(AuthSetup.Read).WithSummary("Newest activity first; archived ones hidden unless asked");
        group.MapGet("/{id}", GetConversation).RequireAuthorization(AuthSetup.Read).WithSummary("The summary and a page of its events");
        group.MapPost("/{id}/archive", ArchiveConversation).RequireAuthorization(AuthSetup.Ingest).WithSummary("Archive (hide from lists)");
        group.MapDelete("/{id}", ArchiveConversation).RequireAuthorization(AuthSetup.Ingest).WithSummary("Soft delete: the same as archive");
        return routes;
    }

    public static async Task<IResult> ListConversations(HttpContext context, ConversationService conversations, Caller caller)
    {
        var request = context.Request;
        var query = new ConversationQuery(
            QueryParameters.Optional(request, "user"),
            QueryParameters.Boolean(request, "include_archived", defaultValue: false),
            QueryParameters.Limit(request),
            QueryParameters.Optional(request, "cursor"));
        var page = await conversations.ListAsync(caller.DataTenant, query, context.RequestAborted);
        return Results.Json(new { conversations = page.Conversations.Select(ToResponse), next_cursor = page.NextCursor });
    }

    public static async Task<IResult> GetConversation(string id, HttpContext context, ConversationService conversations, EventService events, Caller caller)
    {
        var summary = await conversations.GetAsync(caller.DataTenant, id, context.RequestAborted)
            ?? throw FuncTraceException.NotFound($"No conversation with id '{id}'.");
        var query = new EventQuery(ConversationId: id, Limit: QueryParameters.Limit(context.Request), Cursor: QueryParameters.Optional(context.Request, "cursor"));
        var page = await events.ListAsync(caller.DataTenant, query, context.RequestAborted);
        return Results.Json(new
        {
            conversation = ToResponse(summary),
            events = page.Events.Select(EventPayloads.ToResponse),
            next_cursor = page.NextCursor,
        });
    }

    public static async Task<IResult> ArchiveConversation(string id, ConversationService conversations, Caller caller, CancellationToken cancellationToken)
    {
        var archived = await conversations.ArchiveAsync(caller.DataTenant, id, cancellationToken);
        return Results.Json(ToResponse(archived));
    }
}
