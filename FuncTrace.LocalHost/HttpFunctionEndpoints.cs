using System.Globalization;
using System.Reflection;
using FuncTrace.Functions.Shared;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.LocalHost;

/// <summary>
/// Maps every HTTP function of the catalog to its route and methods, as the Functions host does from
/// <c>functions.metadata</c> (route prefix "" in <c>host.json</c>), and invokes it inside the shared <see cref="ApiPipeline"/>.
/// Parameters bind as the isolated worker binds them: the trigger's <see cref="HttpRequest"/>, route values by name, and a
/// <see cref="CancellationToken"/> that fires when the client goes away.
/// </summary>
public static class HttpFunctionEndpoints
{
    public static void Map(WebApplication app, FunctionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var function in catalog.Http)
        {
            var invoke = Invoker(function);
            app.MapMethods("/" + function.Route, function.Methods, context => HandleAsync(context, function, invoke)).WithDisplayName(function.Name);
        }
    }

    private static async Task HandleAsync(HttpContext context, HttpFunction function, Func<HttpContext, Task<IResult?>> invoke)
    {
        var pipeline = context.RequestServices.GetRequiredService<ApiPipeline>();
        var result = await pipeline.RunAsync(context, function, () => invoke(context));
        if (result is not null)
        {
            await result.ExecuteAsync(context);
        }
    }

    private static Func<HttpContext, Task<IResult?>> Invoker(HttpFunction function)
    {
        var method = function.Method;
        var binders = method.GetParameters().Select(p => Binder(function, p)).ToArray();
        if (!typeof(IResult).IsAssignableFrom(ResultType(method.ReturnType)))
        {
            throw new InvalidOperationException($"HTTP function {function.Name} must return an IResult (or a Task of one); it returns {method.ReturnType.Name}.");
        }
        return async context =>
        {
            var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.RequestServices, function.Class);
            var arguments = binders.Select(bind => bind(context)).ToArray();
            object? returned;
            try
            {
                returned = method.Invoke(target, arguments);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
            if (returned is Task task)
            {
                await task;
                returned = task.GetType().GetProperty("Result")?.GetValue(task);
            }
            return returned as IResult;
        };
    }

    private static Type ResultType(Type returnType) =>
        returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>) ? returnType.GetGenericArguments()[0] : returnType;

    private static Func<HttpContext, object?> Binder(HttpFunction function, ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        {
            return parameter.ParameterType == typeof(HttpRequest)
                ? context => context.Request
                : throw new InvalidOperationException($"{function.Name}: the HTTP trigger parameter must be an HttpRequest.");
        }
        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return context => context.RequestAborted;
        }
        var name = parameter.Name!;
        if (!function.Route.Contains("{" + name, StringComparison.OrdinalIgnoreCase) && !function.Route.Contains("{*" + name, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{function.Name}: parameter '{name}' is neither the trigger, a CancellationToken nor a route value of '{function.Route}'.");
        }
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return context =>
        {
            var raw = context.Request.RouteValues.FirstOrDefault(v => string.Equals(v.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();
            return raw is null || type == typeof(string) ? raw : Convert.ChangeType(raw, type, CultureInfo.InvariantCulture);
        };
    }
}
