using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Shared;

/// <summary>An HTTP-triggered function as its attributes declare it.</summary>
public sealed record HttpFunction(string Name, MethodInfo Method, string Route, IReadOnlyList<string> Methods, Access Access, bool ExternalFace, bool AcceptsStreamToken = false)
{
    public Type Class => Method.DeclaringType!;
}

/// <summary>A queue-triggered function; <see cref="QueueName"/> may hold <c>%setting%</c> expressions.</summary>
public sealed record QueueFunction(string Name, MethodInfo Method, string QueueName, string Connection)
{
    public Type Class => Method.DeclaringType!;
}

/// <summary>
/// The app's functions, read from their <c>[Function]</c> attributes: what the worker SDK writes into
/// <c>functions.metadata</c> for the Functions host, and what the local host serves. The pipeline reads each HTTP
/// function's <see cref="AccessAttribute"/> from here.
/// </summary>
public sealed class FunctionCatalog
{
    public const string DefaultConnection = "AzureWebJobsStorage";

    private readonly Dictionary<string, HttpFunction> _httpByName;

    private FunctionCatalog(IReadOnlyList<HttpFunction> http, IReadOnlyList<QueueFunction> queue)
    {
        Http = http;
        Queue = queue;
        _httpByName = http.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public static FunctionCatalog Instance { get; } = Load(typeof(FunctionCatalog).Assembly);

    public IReadOnlyList<HttpFunction> Http { get; }
    public IReadOnlyList<QueueFunction> Queue { get; }

    public HttpFunction? FindHttp(string name) => _httpByName.GetValueOrDefault(name);

    public static FunctionCatalog Load(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var http = new List<HttpFunction>();
        var queue = new List<QueueFunction>();
        var methods = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null);
        foreach (var method in methods)
        {
            var name = method.GetCustomAttribute<FunctionAttribute>()!.Name;
            var parameters = method.GetParameters();
            if (parameters.Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null) is { } trigger)
            {
                var access = method.GetCustomAttribute<AccessAttribute>()
                    ?? throw new InvalidOperationException($"HTTP function {name} has no [Access]: say who may call it.");
                if (string.IsNullOrEmpty(trigger.Route))
                {
                    throw new InvalidOperationException($"HTTP function {name} has no Route.");
                }
                var verbs = (trigger.Methods ?? []).Select(v => v.ToUpperInvariant()).ToList();
                if (verbs.Count == 0)
                {
                    throw new InvalidOperationException($"HTTP function {name} lists no methods; name them (a function for every method is not wanted).");
                }
                var streamToken = method.GetCustomAttribute<StreamTokenAttribute>() is not null;
                if (streamToken && (access.Access == Access.Anonymous || verbs is not ["GET"]))
                {
                    throw new InvalidOperationException($"HTTP function {name}: a stream token opens only a GET that needs a key.");
                }
                http.Add(new HttpFunction(name, method, trigger.Route, verbs, access.Access, method.DeclaringType!.GetCustomAttribute<ExternalFaceAttribute>() is not null, streamToken));
            }
            else if (parameters.Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).FirstOrDefault(a => a is not null) is { } queueTrigger)
            {
                queue.Add(new QueueFunction(name, method, queueTrigger.QueueName, queueTrigger.Connection ?? DefaultConnection));
            }
            else
            {
                throw new InvalidOperationException($"Function {name} has a trigger this app does not use; only HTTP and queue triggers are served by both hosts.");
            }
        }
        var duplicate = http.Select(f => f.Name).Concat(queue.Select(f => f.Name)).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named {duplicate.Key}.");
        }
        return new FunctionCatalog(
            http.OrderBy(f => f.Route, StringComparer.Ordinal).ToList(),
            queue.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }
}
