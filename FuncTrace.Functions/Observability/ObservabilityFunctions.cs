using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Observability;

/// <summary>
/// Logs and traces of the engine spec's observability face.
/// <code>
/// POST api/observability/logs          WriteLog   level, message, metadata, optional session_id; 201 (a replay of its Idempotency-Key: 200)
/// GET  api/observability/logs          ListLogs   newest first (level=, session_id=, limit, cursor)
/// GET  api/observability/traces/{id}   GetTrace   a conversation or session: events, commands and model calls in time order (cursor)
/// </code>
/// </summary>
public sealed class ObservabilityFunctions(LogService logs, TraceService traces)
{
    private const string Logs = "api/observability/logs";
    private const string Trace = "api/observability/traces/{id}";

    [Function("WriteLog")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(LogRequest), Example = """{"level": "info", "message": "Engine warmed up.", "metadata": {"region": "eu"}}""")]
    public async Task<Results<Created<LogEntry>, Ok<LogEntry>>> Write(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Logs)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<LogRequest>(request, JsonBody.SnakeCase);
        var entry = logs.Validate(body);
        var (stored, created) = await logs.AddAsync(request.Caller().DataTenant, entry, IdempotencyKey.IdFor(request, "log"), request.HttpContext.RequestAborted);
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(stored);
        }
        return TypedResults.Created((string?)null, stored);
    }

    [Function("ListLogs")]
    [Access(Access.AnyRole)]
    public async Task<Ok<LogPage>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Logs)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var page = await logs.ListAsync(request.Caller().DataTenant,
            QueryParameters.Optional(request, "level"),
            QueryParameters.Optional(request, "session_id"),
            QueryParameters.Limit(request),
            QueryParameters.Optional(request, "cursor"),
            request.HttpContext.RequestAborted);
        return TypedResults.Ok(page);
    }

    [Function("GetTrace")]
    [Access(Access.AnyRole)]
    public async Task<Ok<TraceResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Trace)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TypedResults.Ok(await traces.GetAsync(request.Caller().DataTenant, id, QueryParameters.Optional(request, "cursor"), request.HttpContext.RequestAborted));
    }
}
