using System.Text.Json;
using FuncTrace.Functions.Shared;
using FuncTrace.LocalHost;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FuncTrace.Tests.Host;

/// <summary>
/// The worker SDK's generated <c>functions.metadata</c> is what the Functions host serves; the local host serves what
/// it reads from the function classes. These tests hold the two to the same functions, routes, methods and queues.
/// </summary>
public sealed class FunctionMetadataTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private static readonly JsonElement[] Metadata = ReadMetadata();

    [Fact]
    public void EveryGeneratedHttpFunctionIsInTheCatalogWithTheSameRouteAndMethods()
    {
        var generated = Metadata
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .Select(f => $"{f.Name} {string.Join(',', f.Trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order())} {f.Trigger.GetProperty("route").GetString()} {f.Trigger.GetProperty("authLevel").GetString()}")
            .Order(StringComparer.Ordinal);
        var catalog = FunctionCatalog.Instance.Http
            .Select(f => $"{f.Name} {string.Join(',', f.Methods.Order())} {f.Route} Anonymous")
            .Order(StringComparer.Ordinal);

        Assert.Equal(generated, catalog);
    }

    [Fact]
    public void EveryGeneratedQueueFunctionIsInTheCatalogWithTheSameQueue()
    {
        var generated = Metadata
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "queueTrigger")
            .Select(f => $"{f.Name} {f.Trigger.GetProperty("queueName").GetString()} {(f.Trigger.TryGetProperty("connection", out var c) ? c.GetString() : FunctionCatalog.DefaultConnection)}")
            .Order(StringComparer.Ordinal);
        var catalog = FunctionCatalog.Instance.Queue.Select(f => $"{f.Name} {f.QueueName} {f.Connection}").Order(StringComparer.Ordinal);

        Assert.Equal(generated, catalog);
    }

    [Fact]
    public void TheGeneratedFunctionsUseOnlyTriggersTheLocalHostServes()
    {
        var triggers = Metadata.Select(f => Trigger(f).GetProperty("type").GetString()).Distinct();

        Assert.All(triggers, t => Assert.Contains(t, new[] { "httpTrigger", "queueTrigger" }));
        Assert.Equal(Metadata.Length, FunctionCatalog.Instance.Http.Count + FunctionCatalog.Instance.Queue.Count);
    }

    [Fact]
    public void TheRunningLocalHostServesEveryHttpFunctionOnItsRoute()
    {
        var served = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.DisplayName is not null && FunctionCatalog.Instance.FindHttp(e.DisplayName) is not null)
            .Select(e => $"{e.DisplayName} {string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Order())} {e.RoutePattern.RawText!.TrimStart('/')}")
            .Order(StringComparer.Ordinal);
        var generated = Metadata
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: Trigger(f)))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "httpTrigger")
            .Select(f => $"{f.Name} {string.Join(',', f.Trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order())} {f.Trigger.GetProperty("route").GetString()}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(generated, served);
    }

    [Fact]
    public void TheLocalHostResolvesEveryQueueNameFromTheStoragePrefix()
    {
        var host = app.Services.GetServices<IHostedService>().OfType<QueueTriggerHost>().Single();

        Assert.All(FunctionCatalog.Instance.Queue, f => Assert.StartsWith(app.StoragePrefix + "-", host.ResolveQueueName(f), StringComparison.Ordinal));
    }

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static JsonElement[] ReadMetadata()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
