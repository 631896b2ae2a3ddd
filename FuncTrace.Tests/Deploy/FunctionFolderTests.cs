using FuncTrace.Domain.Storage;
using FuncTrace.Functions.Hosting;
using FuncTrace.Functions.Workers;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Deploy;

/// <summary>The function folders the package ships against the app they front: each has a handler, each handler a folder.</summary>
public sealed class FunctionFolderTests : IDisposable
{
    // Under the Functions host, so the app maps its queue invocation routes.
    private readonly FuncTraceApp _app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { [HostUrls.CustomHandlerPortVariable] = "7999" });

    public void Dispose() => _app.Dispose();

    private QueueHandlers Handlers => _app.Services.GetRequiredService<QueueHandlers>();

    private IReadOnlyList<RouteEndpoint> Routes =>
        [.. _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    private static IEnumerable<(string Name, System.Text.Json.JsonElement Trigger)> QueueFunctions() =>
        RepoFiles.Functions().Select(f => (f.Name, Trigger: RepoFiles.Trigger(f.Function)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "queueTrigger");

    [Fact]
    public void EveryQueueFunctionFolderIsARegisteredHandlerThatTheAppInvokesAtPostFunctionName()
    {
        var folders = QueueFunctions().ToList();

        Assert.NotEmpty(folders);
        foreach (var (name, trigger) in folders)
        {
            var handler = Assert.Single(Handlers.Functions, f => f.FunctionName == name);
            Assert.Equal(handler.BindingName, trigger.GetProperty("name").GetString());
            Assert.Equal("in", trigger.GetProperty("direction").GetString());
            Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
            Assert.Contains(Routes, r => r.RoutePattern.RawText == "/" + name
                && r.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true);
        }
    }

    [Fact]
    public void EveryRegisteredQueueHandlerHasAFunctionFolder()
    {
        var folders = QueueFunctions().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

        Assert.All(Handlers.Functions, handler => Assert.Contains(handler.FunctionName, folders));
    }

    [Theory]
    [InlineData("functrace")]
    [InlineData("acme2")]
    public void EachQueueTriggerListensToThePhysicalQueueTheAppSendsTo(string storagePrefix)
    {
        var catalog = new StorageCatalog(StorageAccount.Development(), storagePrefix);
        var settings = new Dictionary<string, string> { ["FuncTrace__StoragePrefix"] = storagePrefix };

        foreach (var (name, trigger) in QueueFunctions())
        {
            var handler = Handlers.Functions.Single(f => f.FunctionName == name);
            var queueName = BindingExpressions.Resolve(trigger.GetProperty("queueName").GetString()!, settings);

            Assert.Equal(catalog.Queue(handler.QueueName).Name, queueName);
        }
    }

    [Fact]
    public void TheOneHttpFunctionIsAnonymousAndProxiesEveryMethodUnderApi()
    {
        var http = Assert.Single(RepoFiles.Functions(), f => RepoFiles.Trigger(f.Function).GetProperty("type").GetString() == "httpTrigger");
        var trigger = RepoFiles.Trigger(http.Function);

        Assert.Equal("api", http.Name);
        Assert.Equal("anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal("api/{*path}", trigger.GetProperty("route").GetString());
        Assert.False(trigger.TryGetProperty("methods", out _), "no methods list: the host passes every method on");
        Assert.Contains(http.Function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "out");
    }

    [Fact]
    public void EveryPublicRouteOfTheAppIsUnderApiWhereTheHttpFunctionReachesIt()
    {
        var invocationRoutes = Handlers.Functions.Select(f => "/" + f.FunctionName).ToHashSet(StringComparer.Ordinal);

        var outside = Routes.Select(r => r.RoutePattern.RawText ?? string.Empty)
            .Where(p => !p.StartsWith("/api/", StringComparison.Ordinal) && !invocationRoutes.Contains(p) && !p.StartsWith("/openapi/", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(Routes, r => r.RoutePattern.RawText == "/api/health");
        Assert.Empty(outside);
    }
}
