using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Views;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Events;

/// <summary>
/// The CLI events face.
/// <code>
/// POST api/events         CreateEvent    log one event (idempotent with an id or Idempotency-Key)
/// POST api/events/batch   CreateEvents   log up to MaxBatchSize events; one result per item (207)
/// GET  api/events         ListEvents     by conversation (read at once), or the tenant's timeline or one type
/// GET  api/events/{id}    GetEvent       one event
/// </code>
/// </summary>
public sealed class EventFunctions(EventService events, EventReader reader, TimelineReader timeline, IOptions<EventOptions> options)
{
    private const string Events = "api/events";
    private const string Batch = "api/events/batch";
    private const string Event = "api/events/{id}";
    public const string ReplayedHeader = "Idempotent-Replayed";

    [Function("CreateEvent")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(EventRequest), Example = """{"conversation_id": "conv-1", "event_type": "assistant_response", "data": {"text": "Hello"}, "model": "gpt-4o-mini", "usage": {"prompt_tokens": 12, "completion_tokens": 3}}""")]
    public async Task<Results<Created<EventResponse>, Ok<EventResponse>>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Events)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<EventRequest>(request, JsonBody.SnakeCase);
        var item = body.ToNewEvent();
        item = item with { Id = item.Id ?? IdempotencyKey.IdFor(request, "event") };
        var (stored, created) = await events.CreateAsync(request.Caller().DataTenant, item, request.HttpContext.RequestAborted);
        if (!created)
        {
            request.HttpContext.Response.Headers[ReplayedHeader] = "true";
            return TypedResults.Ok(EventResponse.From(stored));
        }
        return TypedResults.Created($"/{Events}/{Uri.EscapeDataString(stored.Id)}", EventResponse.From(stored));
    }

    [Function("CreateEvents")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(EventBatchRequest), Example = """{"events": [{"conversation_id": "conv-1", "event_type": "user_message", "data": {"text": "Hi"}}]}""")]
    [ProducesResponseType<BatchResponse>(StatusCodes.Status207MultiStatus)]
    public async Task<JsonHttpResult<BatchResponse>> CreateBatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Batch)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Each event is two levels down ({"events": [ … ]}) and may nest as deep as one posted alone.
        var body = await JsonBody.ReadObjectAsync(request, itemDepth: 2);
        if (!body.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw FuncTraceException.Validation("'events' must be an array of events.", "events");
        }
        var max = options.Value.MaxBatchSize;
        var count = list.GetArrayLength();
        if (count == 0 || count > max)
        {
            throw FuncTraceException.Validation($"'events' must hold 1 to {max} events; it holds {count}.", "events");
        }

        var parsed = new List<NewEvent>();
        var positions = new List<int>();
        var results = new Dictionary<int, BatchItemResult>();
        var index = 0;
        foreach (var element in list.EnumerateArray())
        {
            try
            {
                parsed.Add(EventRequest.Parse(element));
                positions.Add(index);
            }
            catch (FuncTraceException ex)
            {
                var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                results[index] = BatchItemResult.Refused(index, id, ex);
            }
            index++;
        }
        foreach (var result in await events.CreateBatchAsync(request.Caller().DataTenant, parsed, request.HttpContext.RequestAborted))
        {
            results[positions[result.Index]] = result with { Index = positions[result.Index] };
        }
        var ordered = results.OrderBy(r => r.Key).Select(r => r.Value).ToList();
        var response = new BatchResponse(
            ordered.Select(r => new BatchItemResponse(r.Index, r.Id, r.Status, r.Error is null ? null : new BatchItemError(ApiError.Name(r.Error.Code), r.Error.Message))).ToList(),
            ordered.Count(r => r.Status == BatchItemResult.Created),
            ordered.Count(r => r.Status == BatchItemResult.Duplicate),
            ordered.Count(r => r.Status == BatchItemResult.Failed));
        return TypedResults.Json(response, statusCode: StatusCodes.Status207MultiStatus);
    }

    [Function("ListEvents")]
    [Access(Access.AnyRole)]
    public async Task<Ok<EventPageResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Events)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = ReadQuery(request);
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        if (query.ConversationId is not null)
        {
            return TypedResults.Ok(EventPageResponse.From(await reader.ListConversationAsync(tenant, query, cancellationToken)));
        }
        var (items, next) = await timeline.ListAsync(tenant, query.EventType, query.From, query.To, query.Descending, query.Limit, query.Cursor, cancellationToken);
        var rows = await reader.GetRowsAsync(items.Select(i => (i.EventPartition(tenant), i.SortKey)).ToList(), cancellationToken);
        var records = await reader.ReadAllAsync(rows.Where(r => r is not null).Select(r => r!).ToList(), cancellationToken);
        return TypedResults.Ok(new EventPageResponse(records.Select(EventResponse.From).ToList(), next));
    }

    [Function("GetEvent")]
    [Access(Access.AnyRole)]
    public async Task<Ok<EventResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Event)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stored = await reader.GetAsync(request.Caller().DataTenant, id, request.HttpContext.RequestAborted)
            ?? throw FuncTraceException.NotFound($"No event with id '{id}'.");
        return TypedResults.Ok(EventResponse.From(stored.Record));
    }

    public static EventQuery ReadQuery(HttpRequest request)
    {
        var query = new EventQuery(
            QueryParameters.Optional(request, "conversation_id"),
            QueryParameters.Optional(request, "event_type"),
            QueryParameters.Time(request, "from"),
            QueryParameters.Time(request, "to"),
            QueryParameters.Limit(request),
            QueryParameters.Optional(request, "cursor"),
            QueryParameters.Descending(request));
        if (query.From is { } from && query.To is { } to && from > to)
        {
            throw FuncTraceException.Validation("'from' must not be after 'to'.", "from");
        }
        if (query.EventType is not null)
        {
            Domain.Validation.KeySafe(query.EventType, "event_type", EventValidation.MaxTypeLength);
        }
        return query;
    }
}
