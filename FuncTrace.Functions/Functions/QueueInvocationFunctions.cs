using FuncTrace.Domain.Queues;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Hosting;
using FuncTrace.Functions.Workers;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// <c>POST /{FunctionName}</c>: the Functions host delivering a queue message to a custom handler. Mapped only under
/// the host (which alone can reach our loopback port) and only for registered handlers; outside <c>/api</c>, so the
/// public HTTP function cannot reach it. 200 deletes the message; 500 makes the host retry it and, after
/// <c>maxDequeueCount</c>, move it to <c>&lt;queue&gt;-poison</c>.
/// </summary>
public static class QueueInvocationFunctions
{
    public static IEndpointRouteBuilder MapQueueInvocationFunctions(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (!HostUrls.IsCustomHandler(routes.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            return routes;
        }
        foreach (var handler in routes.ServiceProvider.GetRequiredService<QueueHandlers>().All)
        {
            routes.MapPost("/" + handler.FunctionName, (HttpContext context, QueueAttemptRunner runner) => Invoke(context, handler, runner))
                .WithName(handler.FunctionName)
                .ExcludeFromDescription()
                .AllowAnonymous();
        }
        return routes;
    }

    public static async Task<IResult> Invoke(HttpContext context, IQueueMessageHandler handler, QueueAttemptRunner runner)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(runner);
        var item = InvocationRequest.Parse(await JsonBody.ReadObjectAsync(context));
        var attempt = await runner.RunAsync(handler, item, context.RequestAborted);
        if (attempt.Succeeded)
        {
            return Results.Json(InvocationResponse([]));
        }
        var log = $"{handler.FunctionName} failed on message {item.MessageId} (attempt {item.DequeueCount}): {attempt.Error!.GetType().Name}: {attempt.Error.Message}";
        return Results.Json(InvocationResponse([log]), statusCode: StatusCodes.Status500InternalServerError);
    }

    /// <summary>The custom-handler response shape; keys exactly as the host reads them.</summary>
    private static Dictionary<string, object?> InvocationResponse(string[] logs) => new()
    {
        ["Outputs"] = new Dictionary<string, object?>(),
        ["Logs"] = logs,
        ["ReturnValue"] = null,
    };
}
