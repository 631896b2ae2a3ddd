using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// The engine spec's command-handler registration, answered 501: a handler is code a client sends for the server to run,
/// and FuncTrace never runs client-sent code. Its commands are the built-in types only (<see cref="CommandTypes"/>).
/// <code>
/// GET    api/commands/handlers          ListCommandHandlers        501
/// POST   api/commands/handlers          RegisterCommandHandler     501
/// DELETE api/commands/handlers/{name}   UnregisterCommandHandler   501
/// </code>
/// </summary>
public sealed class CommandHandlerFunctions(CommandTypes types)
{
    private const string Handlers = "api/commands/handlers";
    private const string Handler = "api/commands/handlers/{name}";

    [Function("ListCommandHandlers")]
    [Access(Access.AnyRole)]
    [ProducesResponseType(StatusCodes.Status501NotImplemented)]
    public Task<EmptyHttpResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Handlers)] HttpRequest request) => Task.FromException<EmptyHttpResult>(NotImplemented());

    [Function("RegisterCommandHandler")]
    [Access(Access.AnyRole)]
    [ProducesResponseType(StatusCodes.Status501NotImplemented)]
    public Task<EmptyHttpResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Handlers)] HttpRequest request) => Task.FromException<EmptyHttpResult>(NotImplemented());

    [Function("UnregisterCommandHandler")]
    [Access(Access.AnyRole)]
    [ProducesResponseType(StatusCodes.Status501NotImplemented)]
    public Task<EmptyHttpResult> Unregister(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Handler)] HttpRequest request, string name) => Task.FromException<EmptyHttpResult>(NotImplemented());

    private FuncTraceException NotImplemented() => new(
        ErrorCode.NotImplemented,
        $"Command handlers are not supported: FuncTrace never runs code a client sends. The built-in command types are {string.Join(", ", types.Names)}; submit them with POST /api/sessions/{{id}}/commands.",
        new Dictionary<string, object?> { ["known_types"] = types.Names });
}
