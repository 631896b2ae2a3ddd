using System.Text.Json;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Sessions;

/// <summary>
/// Sessions: conversations whose id the service chose, their events numbered in the order they were stored.
/// <code>
/// POST   api/sessions                        CreateSession        start one
/// GET    api/sessions/{id}                   GetSession           name, metadata, status, counts
/// DELETE api/sessions/{id}                   DeleteSession        soft delete: status archived, its conversation archived
/// POST   api/sessions/{id}/events            CreateSessionEvent   its next event, with its sequence (idempotent with an id or Idempotency-Key)
/// GET    api/sessions/{id}/events            ListSessionEvents    in sequence order; limit, offset, event_type
/// GET    api/sessions/{id}/events/{eventId}  GetSessionEvent      one of its events
/// GET    api/sessions/{id}/events/stream     StreamSessionEvents  the live tail (SessionStreamFunctions)
/// </code>
/// </summary>
public sealed class SessionFunctions(SessionService sessions, SessionEvents sessionEvents, EventReader reader)
{
    private const string Sessions = "api/sessions";
    private const string Session = "api/sessions/{id}";
    private const string Events = "api/sessions/{id}/events";
    private const string Event = "api/sessions/{id}/events/{eventId}";
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    [Function("CreateSession")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(SessionRequest), Example = """{"name": "nightly run", "metadata": {"branch": "main"}}""")]
    public async Task<Created<CreatedSessionResponse>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Sessions)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<SessionRequest>(request, JsonBody.SnakeCase);
        var session = await sessions.CreateAsync(request.Caller().DataTenant, body.Name, Present(body.Metadata), request.HttpContext.RequestAborted);
        return TypedResults.Created($"/{Sessions}/{session.SessionId}", new CreatedSessionResponse(session.SessionId, session.CreatedAt, session.Status));
    }

    [Function("GetSession")]
    [Access(Access.AnyRole)]
    public async Task<Ok<SessionResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Session)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var session = await sessions.GetAsync(request.Caller().DataTenant, id, request.HttpContext.RequestAborted) ?? throw SessionService.NotFound(id);
        return TypedResults.Ok(SessionResponse.From(session));
    }

    [Function("DeleteSession")]
    [Access(Access.Ingest)]
    public async Task<Ok<SessionResponse>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Session)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TypedResults.Ok(SessionResponse.From(await sessions.ArchiveAsync(request.Caller().DataTenant, id, request.HttpContext.RequestAborted)));
    }

    [Function("CreateSessionEvent")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(SessionEventRequest), Example = """{"event_type": "step", "data": {"n": 1}}""")]
    public async Task<Results<Created<SessionEventResponse>, Ok<SessionEventResponse>>> AddEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Events)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<SessionEventRequest>(request, JsonBody.SnakeCase);
        var item = new NewEvent(
            body.Id ?? IdempotencyKey.IdFor(request, "session-event"),
            id,
            Validation.Required(body.EventType, "event_type", EventValidation.MaxTypeLength),
            Timestamp: null,
            Present(body.Data) ?? EmptyObject,
            RequiresFeedback: null,
            Role: null,
            Model: null,
            Usage: null,
            Metadata: Present(body.Metadata));
        var (stored, created) = await sessions.AddEventAsync(request.Caller().DataTenant, id, item, request.HttpContext.RequestAborted);
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(SessionEventResponse.From(stored));
        }
        return TypedResults.Created($"/{Sessions}/{Uri.EscapeDataString(id)}/events/{Uri.EscapeDataString(stored.Id)}", SessionEventResponse.From(stored));
    }

    [Function("ListSessionEvents")]
    [Access(Access.AnyRole)]
    public async Task<Ok<SessionEventPageResponse>> ListEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Events)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = QueryParameters.Limit(request);
        var offset = QueryParameters.Integer(request, "offset", 0);
        var eventType = QueryParameters.Optional(request, "event_type");
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        await sessions.RequireRowAsync(tenant, id, cancellationToken);
        var (items, hasMore) = await sessionEvents.ListAsync(tenant, id, eventType, offset, limit, cancellationToken);
        return TypedResults.Ok(new SessionEventPageResponse(id, items.Select(SessionEventResponse.From).ToList(), limit, offset, hasMore));
    }

    [Function("GetSessionEvent")]
    [Access(Access.AnyRole)]
    public async Task<Ok<SessionEventResponse>> GetEvent(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Event)] HttpRequest request, string id, string eventId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        await sessions.RequireRowAsync(tenant, id, cancellationToken);
        var stored = await reader.GetAsync(tenant, eventId, cancellationToken);
        return stored is not null && stored.Record.ConversationId == id
            ? TypedResults.Ok(SessionEventResponse.From(stored.Record))
            : throw FuncTraceException.NotFound($"Session '{id}' has no event '{eventId}'.");
    }

    /// <summary>A JSON value that was sent: null when the field was left out or sent as null.</summary>
    private static JsonElement? Present(JsonElement? value) =>
        value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } json ? json : null;
}
