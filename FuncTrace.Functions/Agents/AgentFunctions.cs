using Azure;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Agents;

/// <summary>
/// A tenant's agents: named model configurations that chat and engine runs use.
/// <code>
/// POST   api/agents        CreateAgent   name, description, system_prompt, model, parameters, tools (idempotent with Idempotency-Key)
/// GET    api/agents        ListAgents    creation order; status (ready | deleted), limit, cursor
/// GET    api/agents/{id}   GetAgent      one agent, with its ETag
/// PATCH  api/agents/{id}   UpdateAgent   the fields sent (parameters merge, null removes); If-Match for a conditional change
/// DELETE api/agents/{id}   DeleteAgent   marks it deleted: lists skip it, calls refuse it, still readable by id
/// </code>
/// </summary>
public sealed class AgentFunctions(AgentService agents)
{
    private const string Agents = "api/agents";
    private const string AgentRoute = "api/agents/{id}";

    private static readonly string[] Fields = ["name", "description", "system_prompt", "model", "parameters", "tools"];

    [Function("CreateAgent")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(AgentRequest), Example = """{"name": "Support bot", "description": "Answers support questions.", "system_prompt": "Be brief and polite.", "model": "gpt-4o-mini", "parameters": {"temperature": 0.2, "max_tokens": 256}, "tools": [{"name": "lookup_order", "description": "Find an order by its id.", "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}]}""")]
    public async Task<Results<Created<AgentResponse>, Ok<AgentResponse>>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Agents)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new RequestFields(await JsonBody.ReadObjectAsync(request), Fields);
        var definition = new AgentDefinition(
            AgentValidation.Name(body["name"]),
            AgentValidation.Text(body["description"], "description", AgentValidation.MaxDescriptionLength),
            AgentValidation.Text(body["system_prompt"], "system_prompt", AgentValidation.MaxSystemPromptLength),
            AgentValidation.Model(body["model"]),
            AgentValidation.Parameters(body["parameters"]),
            AgentValidation.Tools(body["tools"]));
        var (agent, created) = await agents.CreateAsync(request.Caller().DataTenant, definition, IdempotencyKey.IdFor(request, "agent"), request.HttpContext.RequestAborted);
        SetETag(request, agent);
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(AgentResponse.From(agent));
        }
        return TypedResults.Created($"/{Agents}/{agent.Id}", AgentResponse.From(agent));
    }

    [Function("ListAgents")]
    [Access(Access.AnyRole)]
    public async Task<Ok<AgentListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Agents)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new AgentQuery(Status(request), null, QueryParameters.Limit(request, maxLimit: 200), QueryParameters.Optional(request, "cursor"));
        var page = await agents.ListAsync(request.Caller().DataTenant, query, request.HttpContext.RequestAborted);
        return TypedResults.Ok(new AgentListResponse(page.Agents.Select(AgentResponse.From).ToList(), page.NextCursor));
    }

    [Function("GetAgent")]
    [Access(Access.AnyRole)]
    public async Task<Ok<AgentResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = AgentRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var agent = await agents.RequireAsync(request.Caller().DataTenant, id, request.HttpContext.RequestAborted);
        SetETag(request, agent);
        return TypedResults.Ok(AgentResponse.From(agent));
    }

    [Function("UpdateAgent")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(AgentRequest), Example = """{"description": "Answers billing questions too.", "parameters": {"temperature": 0.5, "top_p": null}}""")]
    public async Task<Ok<AgentResponse>> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = AgentRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new RequestFields(await JsonBody.ReadObjectAsync(request), Fields);
        // Everything is read before the first storage call, so a bad field is a 400 whatever the agent holds.
        var name = body.Has("name") ? AgentValidation.Name(body["name"]) : null;
        var description = AgentValidation.Text(body["description"], "description", AgentValidation.MaxDescriptionLength);
        var systemPrompt = AgentValidation.Text(body["system_prompt"], "system_prompt", AgentValidation.MaxSystemPromptLength);
        var model = AgentValidation.Model(body["model"]);
        var tools = AgentValidation.Tools(body["tools"]);
        AgentValidation.Merge(new Domain.Llm.LlmParameters(), body["parameters"]);
        var agent = await agents.UpdateAsync(request.Caller().DataTenant, id, current => current with
        {
            Name = name ?? current.Name,
            Description = body.Has("description") ? description : current.Description,
            SystemPrompt = body.Has("system_prompt") ? systemPrompt : current.SystemPrompt,
            Model = body.Has("model") ? model : current.Model,
            Parameters = AgentValidation.Merge(current.Parameters, body["parameters"]),
            Tools = body.Has("tools") ? tools : current.Tools,
        }, IfMatch(request), request.HttpContext.RequestAborted);
        SetETag(request, agent);
        return TypedResults.Ok(AgentResponse.From(agent));
    }

    [Function("DeleteAgent")]
    [Access(Access.Ingest)]
    public async Task<Ok<AgentResponse>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = AgentRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var agent = await agents.DeleteAsync(request.Caller().DataTenant, id, IfMatch(request), request.HttpContext.RequestAborted);
        SetETag(request, agent);
        return TypedResults.Ok(AgentResponse.From(agent));
    }

    /// <summary><c>ready</c> (the default) or <c>deleted</c>.</summary>
    public static string Status(HttpRequest request) => QueryParameters.Optional(request, "status") switch
    {
        null or Agent.Ready => Agent.Ready,
        Agent.Deleted => Agent.Deleted,
        _ => throw FuncTraceException.Validation("'status' must be 'ready' or 'deleted'.", "status"),
    };

    /// <summary>The client's <c>If-Match</c>, or null without one (or with <c>*</c>, which any current row matches).</summary>
    public static ETag? IfMatch(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers.IfMatch.ToString().Trim();
        return value.Length == 0 || value == "*" ? null : new ETag(value);
    }

    public static void SetETag(HttpRequest request, Agent agent)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(agent);
        request.HttpContext.Response.Headers.ETag = agent.ETag.ToString("H");
    }
}
