using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// The isolated worker's side of <see cref="ApiPipeline"/>: runs it around every HTTP-triggered invocation and hands
/// its result to the ASP.NET Core integration, which writes it to the response. Queue-triggered invocations pass through.
/// </summary>
public sealed class ApiPipelineMiddleware(ApiPipeline pipeline) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        var function = FunctionCatalog.Instance.FindHttp(context.FunctionDefinition.Name);
        if (http is null || function is null)
        {
            await next(context);
            return;
        }
        var result = await pipeline.RunAsync(http, function, async () =>
        {
            await next(context);
            return context.GetInvocationResult().Value as IResult;
        });
        context.GetInvocationResult().Value = result;
    }
}
