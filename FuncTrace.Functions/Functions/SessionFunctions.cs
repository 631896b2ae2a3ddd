using System.Text.Json;
using FuncTrace.Domain.Conversations;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;
using static FuncTrace.Functions.Api.ConversationPayloads;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// The sessions face: <c>/api/sessions</c>. A session is a conversation whose id the service chose; its events are
/// listed in the order they were stored, with offset paging (see <see cref="ConversationService.ListByOffsetAsync"/>).
/// </summary>
public static class SessionFunctions
{
    public sealed record SessionRequest(string? Name, JsonElement? Metadata);

    public sealed record SessionEventRequest(string? EventType, JsonElement? Data, JsonElement? Metadata);

    public static IEndpointRouteBuilder MapSessionFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/sessions").WithTags("Sessions");
        group.MapPost("/", CreateSession).RequireAuthorization(AuthSetup.Ingest).WithSummary("Start a session");
        group.MapGet("/{id}", GetSession).RequireAuthorization(AuthSetup.Read).WithSummary("A session's summary");
        group.MapDelete("/{id}", DeleteSession).RequireAuthorization(AuthSetup.Ingest).WithSummary("Soft delete (archive)");
        group.MapPost("/{id}/events", AddEvent).RequireAuthorization(AuthSetup.Ingest).WithSummary("Log an event in the session");
        group.MapGet("/{id}/events", ListEvents).RequireAuthorization(AuthSetup.Read).WithSummary("Events in storage order, offset paging");
        group.MapGet("/{id}/events/stream", SessionStreamFunctions.StreamEvents).RequireAuthorization(AuthSetup.Read).WithSummary("Server-Sent Events live tail");
        group.MapGet("/{id}/events/{eventId}", GetEvent).RequireAuthorization(AuthSetup.Read).WithSummary("One event of the session");
        return routes;
    }

    public static async Task<IResult> CreateSession(HttpContext context, ConversationService conversations, Caller caller)
    {
        var request = await JsonBody.ReadAsync<SessionRequest>(context, JsonBody.SnakeCase);
        var metadata = request.Metadata is { ValueKind: not JsonValueKind.Null } json ? json : (JsonElement?)null;
        var session = await conversations.CreateAsync(caller.DataTenant, request.Name, metadata, context.RequestAborted);
        return Results.Json(new { session_id = session.ConversationId, created_at = session.CreatedAt, status = "active" }, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> GetSession(string id, ConversationService conversations, Caller caller, CancellationToken cancellationToken) =>
        Results.Json(ToSession(await RequireAsync(conversations, caller, id, cancellationToken)));

    public static async Task<IResult> DeleteSession(string id, ConversationService conversations, Caller caller, CancellationToken cancellationToken) =>
        Results.Json(ToSession(await conversations.ArchiveAsync(caller.DataTenant, id, cancellationToken)));

    public static async Task<IResult> AddEvent(string id, HttpContext context, ConversationService conversations, EventService events, Caller caller)
    {
        var request = await JsonBody.ReadAsync<SessionEventRequest>(context, JsonBody.SnakeCase);
        var session = await RequireAsync(conversations, caller, id, context.RequestAborted);
        var item = new NewEvent(
            IdempotencyKey.IdFor(context.Request, "event"),
            id,
            Domain.Validation.Required(request.EventType, "event_type", 128),
            null,
            request.Data is { ValueKind: not JsonValueKind.Null } data ? data : JsonSerializer.SerializeToElement(new { }),
            null,
            null,
            null,
            null,
            session.Owner,
            request.Metadata is { ValueKind: not JsonValueKind.Null } metadata ? metadata : null);
        var (stored, created) = await events.CreateAsync(caller.DataTenant, item, context.RequestAborted);
        return Results.Json(ToSessionEvent(stored, sequence: null), statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> ListEvents(string id, HttpContext context, ConversationService conversations, Caller caller)
    {
        var request = context.Request;
        var limit = QueryParameters.Limit(request);
        var offset = QueryParameters.Integer(request, "offset", 0);
        await RequireAsync(conversations, caller, id, context.RequestAborted);
        var (items, hasMore) = await conversations.ListByOffsetAsync(caller.DataTenant, id, QueryParameters.Optional(request, "event_type"), offset, limit, context.RequestAborted);
        return Results.Json(new
        {
            session_id = id,
            events = items.Select(e => ToSessionEvent(e.Event, e.Sequence)),
            limit,
            offset,
            has_more = hasMore,
        });
    }

    public static async Task<IResult> GetEvent(string id, string eventId, EventService events, Caller caller, CancellationToken cancellationToken)
    {
        var stored = await events.GetAsync(caller.DataTenant, eventId, cancellationToken);
        return stored is not null && stored.ConversationId == id
            ? Results.Json(ToSessionEvent(stored, sequence: null))
            : throw FuncTraceException.NotFound($"Session '{id}' has no event '{eventId}'.");
    }

    public static async Task<ConversationSummary> RequireAsync(ConversationService conversations, Caller caller, string id, CancellationToken cancellationToken) =>
        await conversations.GetAsync(caller.DataTenant, id, cancellationToken)
            ?? throw FuncTraceException.NotFound($"No session with id '{id}'.");
}
