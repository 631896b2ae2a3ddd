using System.Text.Json;
using FuncTrace.Functions.Hosting;
using FuncTrace.Functions.Workers;
using Microsoft.Extensions.Configuration;

namespace FuncTrace.Tests.Deploy;

/// <summary>The repository's host.json as the Functions host reads it for a custom handler.</summary>
public sealed class HostJsonTests
{
    private static readonly JsonElement HostJson = RepoFiles.Json("host.json");

    [Fact]
    public void HostJsonIsAVersion2HostWithTheV4ExtensionBundleTheQueueTriggerNeeds()
    {
        Assert.Equal("2.0", HostJson.GetProperty("version").GetString());
        var bundle = HostJson.GetProperty("extensionBundle");
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", bundle.GetProperty("id").GetString());
        Assert.StartsWith("[4.", bundle.GetProperty("version").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheCustomHandlerStartsThePublishedExecutableFromThePackageRoot()
    {
        var description = HostJson.GetProperty("customHandler").GetProperty("description");

        // dotnet publish names the native launcher after the assembly.
        Assert.Equal(typeof(Program).Assembly.GetName().Name, description.GetProperty("defaultExecutablePath").GetString());
        Assert.Equal(".", description.GetProperty("workingDirectory").GetString());
        Assert.False(description.TryGetProperty("arguments", out _), "the executable is self-contained: no 'dotnet <dll>' arguments");
    }

    [Fact]
    public void HttpRequestsAreProxiedSoStreamsFlowAndRoutesKeepTheirApiPath()
    {
        var customHandler = HostJson.GetProperty("customHandler");

        Assert.True(customHandler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.False(customHandler.TryGetProperty("enableForwardingHttpRequest", out _), "forwarding buffers whole responses and breaks SSE");
        Assert.Equal(string.Empty, HostJson.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void TheQueueSettingsParseAndPassTheWorkersValidation()
    {
        var configuration = new ConfigurationBuilder();
        configuration.AddHostJson(RepoFiles.Root);
        var settings = configuration.Build().GetSection(QueueHostSettings.Section).Get<QueueHostSettings>();

        Assert.NotNull(settings);
        Assert.True(new QueueHostSettingsValidator().Validate(null, settings).Succeeded);
        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
    }
}
