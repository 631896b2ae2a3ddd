using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Agents;

/// <summary>
/// The engine spec's face over agents: an engine is an agent created with an engine type and, optionally, a session.
/// <code>
/// POST   api/engines               CreateEngine    engine_type, model_name, session_id, configuration (idempotent with Idempotency-Key)
/// GET    api/engines               ListEngines     session_id=, status= (ready | deleted), limit, cursor
/// GET    api/engines/{id}          GetEngine       one engine
/// DELETE api/engines/{id}          DeleteEngine    marks it deleted, as DELETE api/agents/{id}
/// POST   api/engines/{id}/execute  ExecuteEngine   prompt, parameters over the configuration: the reply with usage (idempotent with Idempotency-Key)
/// </code>
/// </summary>
public sealed class EngineFunctions(AgentService agents, AgentRunner runner, SessionService sessions)
{
    private const string Engines = "api/engines";
    private const string EngineRoute = "api/engines/{id}";
    private const string ExecuteRoute = "api/engines/{id}/execute";
    private const int MaxTypeLength = 64;

    private static readonly string[] Fields = ["engine_type", "model_name", "session_id", "configuration"];
    private static readonly string[] ConfigurationFields = ["name", "description", "system_prompt", "tools", .. AgentValidation.ParameterNames];
    private static readonly string[] ExecuteFields = ["prompt", "parameters"];

    [Function("CreateEngine")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(EngineRequest), Example = """{"engine_type": "llm", "model_name": "gpt-4o-mini", "configuration": {"name": "Summariser", "system_prompt": "Summarise in one sentence.", "temperature": 0.2, "max_tokens": 256}}""")]
    public async Task<Results<Created<EngineResponse>, Ok<EngineResponse>>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Engines)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new RequestFields(await JsonBody.ReadObjectAsync(request), Fields);
        var type = AgentValidation.Id(body["engine_type"], "engine_type") ?? EngineResponse.DefaultType;
        if (type.Length > MaxTypeLength)
        {
            throw FuncTraceException.Validation($"'engine_type' is longer than {MaxTypeLength} characters.", "engine_type");
        }
        var model = AgentValidation.Model(body["model_name"], "model_name");
        var sessionId = AgentValidation.Id(body["session_id"], "session_id");
        var configuration = body["configuration"] is { ValueKind: not JsonValueKind.Null } present
            ? present.ValueKind == JsonValueKind.Object
                ? new RequestFields(present, ConfigurationFields, "configuration")
                : throw FuncTraceException.Validation("'configuration' must be an object.", "configuration")
            : null;
        var definition = new AgentDefinition(
            (configuration is null ? null : AgentValidation.Text(configuration["name"], "configuration.name", AgentValidation.MaxNameLength))
                ?? $"{type} engine",
            configuration is null ? null : AgentValidation.Text(configuration["description"], "configuration.description", AgentValidation.MaxDescriptionLength),
            configuration is null ? null : AgentValidation.Text(configuration["system_prompt"], "configuration.system_prompt", AgentValidation.MaxSystemPromptLength),
            model,
            configuration is null ? new Domain.Llm.LlmParameters() : AgentValidation.ParametersOf(configuration.Body, "configuration"),
            configuration is null ? [] : AgentValidation.Tools(configuration["tools"], "configuration.tools"),
            type,
            sessionId);
        var tenant = request.Caller().DataTenant;
        var cancellationToken = request.HttpContext.RequestAborted;
        if (sessionId is not null)
        {
            await sessions.RequireRowAsync(tenant, sessionId, cancellationToken);
        }
        var (engine, created) = await agents.CreateAsync(tenant, definition, IdempotencyKey.IdFor(request, "engine"), cancellationToken);
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(EngineResponse.From(engine));
        }
        return TypedResults.Created($"/{Engines}/{engine.Id}", EngineResponse.From(engine));
    }

    [Function("ListEngines")]
    [Access(Access.AnyRole)]
    public async Task<Ok<EngineListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Engines)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sessionId = QueryParameters.Optional(request, "session_id");
        if (sessionId is not null)
        {
            Domain.Validation.KeySafe(sessionId, "session_id", EventValidation.MaxIdLength);
        }
        var query = new AgentQuery(AgentFunctions.Status(request), sessionId, QueryParameters.Limit(request, maxLimit: 200), QueryParameters.Optional(request, "cursor"));
        var page = await agents.ListAsync(request.Caller().DataTenant, query, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new EngineListResponse(page.Agents.Select(EngineResponse.From).ToList(), page.NextCursor));
    }

    [Function("GetEngine")]
    [Access(Access.AnyRole)]
    public async Task<Ok<EngineResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = EngineRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var engine = await agents.RequireAsync(request.Caller().DataTenant, id, request.HttpContext.RequestAborted);
        AgentFunctions.SetETag(request, engine);
        return TypedResults.Ok(EngineResponse.From(engine));
    }

    [Function("DeleteEngine")]
    [Access(Access.Ingest)]
    public async Task<Ok<EngineResponse>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = EngineRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var engine = await agents.DeleteAsync(request.Caller().DataTenant, id, AgentFunctions.IfMatch(request), request.HttpContext.RequestAborted);
        return TypedResults.Ok(EngineResponse.From(engine));
    }

    [Function("ExecuteEngine")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(ExecuteRequest), Example = """{"prompt": "Summarise: the meeting moved to Friday.", "parameters": {"temperature": 0.7, "max_tokens": 64}}""")]
    public async Task<Ok<ExecuteResponse>> Execute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ExecuteRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new RequestFields(await JsonBody.ReadObjectAsync(request), ExecuteFields);
        var prompt = AgentValidation.Text(body["prompt"], "prompt", int.MaxValue);
        var overrides = AgentValidation.Parameters(body["parameters"]);
        var run = await runner.RunAsync(request.Caller().DataTenant, id, prompt, overrides, id: IdempotencyKey.IdFor(request, "execute"),
            cancellationToken: request.HttpContext.RequestAborted);
        if (run.Replayed)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
        }
        return TypedResults.Ok(ExecuteResponse.From(run));
    }
}
