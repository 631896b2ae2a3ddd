using System.Text.Json;
using FuncTrace.LocalHost;
using Microsoft.Extensions.Configuration;

namespace FuncTrace.Tests.Deploy;

/// <summary>The repository's host.json, which the package ships and both hosts read: an isolated-worker host with sane queue settings.</summary>
public sealed class HostJsonTests
{
    private static readonly JsonElement HostJsonFile = RepoFiles.Json("host.json");

    [Fact]
    public void HostJsonIsAVersion2HostForTheIsolatedWorkerWithoutCustomHandlerOrExtensionBundle()
    {
        Assert.Equal("2.0", HostJsonFile.GetProperty("version").GetString());
        Assert.False(HostJsonFile.TryGetProperty("customHandler", out _), "the isolated worker is started by the host from worker.config.json");
        // The worker SDK builds the extensions the functions use (extensions.json); a bundle would be a second, unused set.
        Assert.False(HostJsonFile.TryGetProperty("extensionBundle", out _), "the isolated worker brings its extensions itself");
    }

    [Fact]
    public void RoutesHaveNoPrefixBecauseEveryFunctionWritesItsApiPathInFull()
    {
        Assert.Equal(string.Empty, HostJsonFile.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void TheQueueSettingsParsePassTheLocalHostsValidationAndRetryAFailedMessageAfterABackoff()
    {
        var configuration = new ConfigurationBuilder();
        configuration.AddHostJson(RepoFiles.Root);
        var settings = configuration.Build().GetSection(QueueHostOptions.Section).Get<QueueHostOptions>();

        Assert.NotNull(settings);
        Assert.True(new QueueHostOptionsValidator().Validate(null, settings).Succeeded);
        Assert.InRange(settings.MaxDequeueCount, 2, 10);
        Assert.InRange(settings.VisibilityTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.InRange(settings.EffectiveNewBatchThreshold, 0, settings.BatchSize);
    }
}
