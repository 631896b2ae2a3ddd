using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;
using static FuncTrace.Functions.Api.EventPayloads;

namespace FuncTrace.Functions.Functions;

/// <summary>The CLI events face: <c>/api/events</c>.</summary>
public static class EventFunctions
{
    public static IEndpointRouteBuilder MapEventFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/events").WithTags("Events");
        group.MapPost("/", CreateEvent).RequireAuthorization(AuthSetup.Ingest).WithSummary("Log one event (idempotent with a client id)");
        group.MapPost("/batch", CreateEvents).RequireAuthorization(AuthSetup.Ingest).WithSummary("Log up to 500 events; one result per item");
        group.MapGet("/", ListEvents).RequireAuthorization(AuthSetup.Read).WithSummary("List events by conversation, type or time");
        group.MapGet("/{id}", GetEvent).RequireAuthorization(AuthSetup.Read).WithSummary("One event");
        return routes;
    }

    public static async Task<IResult> CreateEvent(HttpContext context, EventService events, Caller caller)
    {
        var request = await JsonBody.ReadAsync<EventRequest>(context, JsonBody.SnakeCase);
        var item = ToNewEvent(request);
        item = item with { Id = item.Id ?? IdempotencyKey.IdFor(context.Request, "event") };
        var (stored, created) = await events.CreateAsync(caller.DataTenant, item, context.RequestAborted);
        if (!created)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        return Results.Json(ToResponse(stored), statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> CreateEvents(HttpContext context, EventService events, EventOptions options, Caller caller)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        if (!body.TryGetProperty("events", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw FuncTraceException.Validation("'events' must be an array of events.", "events");
        }
        var count = items.GetArrayLength();
        if (count == 0 || count > options.MaxBatchSize)
        {
            throw FuncTraceException.Validation($"'events' must hold 1 to {options.MaxBatchSize} events; it holds {count}.", "events");
        }

        var parsed = new List<NewEvent>();
        var indexes = new List<int>();
        var results = new Dictionary<int, BatchItemResult>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            try
            {
                parsed.Add(ParseItem(item));
                indexes.Add(index);
            }
            catch (FuncTraceException ex)
            {
                results[index] = BatchItemResult.Failed(index, item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null, ex);
            }
            index++;
        }

        foreach (var result in await events.CreateBatchAsync(caller.DataTenant, parsed, context.RequestAborted))
        {
            results[indexes[result.Index]] = result with { Index = indexes[result.Index] };
        }

        var ordered = results.OrderBy(r => r.Key).Select(r => r.Value).ToList();
        return Results.Json(new
        {
            results = ordered.Select(r => new
            {
                index = r.Index,
                id = r.Id,
                status = r.Status,
                error = r.Error is null ? null : new { code = ApiError.Name(r.Error.Code), message = r.Error.Message },
            }),
            created = ordered.Count(r => r.Status == "created"),
            duplicates = ordered.Count(r => r.Status == "duplicate"),
            failed = ordered.Count(r => r.Status == "error"),
        }, statusCode: StatusCodes.Status207MultiStatus);
    }

    public static async Task<IResult> ListEvents(HttpContext context, EventService events, Caller caller)
    {
        var page = await events.ListAsync(caller.DataTenant, ReadQuery(context.Request), context.RequestAborted);
        return Results.Json(ToPage(page));
    }

    public static async Task<IResult> GetEvent(string id, EventService events, Caller caller, CancellationToken cancellationToken)
    {
        var stored = await events.GetAsync(caller.DataTenant, id, cancellationToken)
            ?? throw FuncTraceException.NotFound($"No event with id '{id}'.");
        return Results.Json(ToResponse(stored));
    }
}
