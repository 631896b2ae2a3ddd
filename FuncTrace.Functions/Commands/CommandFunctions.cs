using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// Commands on a session, run through the commands queue (<see cref="CommandQueueFunctions"/>); each answers at once.
/// <code>
/// POST api/sessions/{id}/commands              SubmitCommand    202 executing; a replay (command_id or Idempotency-Key): 200, as it is now
/// POST api/sessions/{id}/commands/batch        SubmitCommands   up to 100, checked together before any is queued
/// GET  api/sessions/{id}/commands/{commandId}  GetCommand       executing, completed with its result, or failed with its error
/// </code>
/// </summary>
public sealed class CommandFunctions(CommandService commands)
{
    private const string Commands = "api/sessions/{id}/commands";
    private const string Batch = "api/sessions/{id}/commands/batch";
    private const string Command = "api/sessions/{id}/commands/{commandId}";

    [Function("SubmitCommand")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(CommandRequest), Example = """{"command_type": "prompt", "parameters": {"prompt": "Summarise the session so far."}, "metadata": {"source": "cli"}}""")]
    public async Task<Results<Accepted<CommandResponse>, Ok<CommandResponse>>> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Commands)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<CommandRequest>(request, JsonBody.SnakeCase);
        var command = commands.Validate(body, IdempotencyKey.IdFor(request, "command|" + id));
        var (stored, created) = await commands.SubmitAsync(request.Caller().DataTenant, id, command, request.HttpContext.RequestAborted);
        if (!created)
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(CommandResponse.From(stored));
        }
        return TypedResults.Accepted(Location(id, stored.CommandId), CommandResponse.From(stored));
    }

    [Function("SubmitCommands")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(CommandBatchRequest), Example = """{"commands": [{"command_id": "cmd-1", "command_type": "prompt", "parameters": {"prompt": "Hello"}}]}""")]
    public async Task<Results<Accepted<CommandBatchResponse>, Ok<CommandBatchResponse>>> SubmitBatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Batch)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<CommandBatchRequest>(request, JsonBody.SnakeCase);
        if (body.Commands is not { Count: > 0 } items || items.Count > CommandService.MaxBatch)
        {
            throw FuncTraceException.Validation($"'commands' must be an array of 1 to {CommandService.MaxBatch} commands.", "commands");
        }
        var key = IdempotencyKey.IdFor(request, "command-batch|" + id);
        var parsed = items.Select((item, i) => Parse(item, i, key is null ? null : $"{key}-{i}")).ToList();
        if (parsed.Where(c => c.Id is not null).GroupBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw FuncTraceException.Validation($"Command id '{duplicate.Key}' appears more than once in this batch.", "commands.command_id");
        }
        var results = await commands.SubmitBatchAsync(request.Caller().DataTenant, id, parsed, request.HttpContext.RequestAborted);
        var response = new CommandBatchResponse(id, results.Select(r => CommandResponse.From(r.Command)).ToList());
        if (results.All(r => !r.Created))
        {
            request.HttpContext.Response.Headers[EventFunctions.ReplayedHeader] = "true";
            return TypedResults.Ok(response);
        }
        return TypedResults.Accepted((string?)null, response);
    }

    [Function("GetCommand")]
    [Access(Access.AnyRole)]
    public async Task<Ok<CommandResponse>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Command)] HttpRequest request, string id, string commandId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TypedResults.Ok(CommandResponse.From(await commands.GetAsync(request.Caller().DataTenant, id, commandId, request.HttpContext.RequestAborted)));
    }

    /// <summary>One item of a batch; its error says which.</summary>
    private NewCommand Parse(JsonElement item, int index, string? derivedId)
    {
        try
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw FuncTraceException.Validation("Each item of 'commands' must be a JSON object.");
            }
            return commands.Validate(JsonBody.Deserialize<CommandRequest>(item, JsonBody.SnakeCase), derivedId);
        }
        catch (FuncTraceException ex)
        {
            var details = new Dictionary<string, object?>(ex.Details ?? new Dictionary<string, object?>()) { ["index"] = index };
            throw new FuncTraceException(ex.Code, $"commands[{index}]: {ex.Message}", details, ex);
        }
    }

    private static string Location(string sessionId, string commandId) =>
        $"/api/sessions/{Uri.EscapeDataString(sessionId)}/commands/{Uri.EscapeDataString(commandId)}";
}
