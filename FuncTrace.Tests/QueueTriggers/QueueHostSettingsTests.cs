using FuncTrace.LocalHost;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using FuncTrace.Tests.TestFunctions;

namespace FuncTrace.Tests.QueueTriggers;

/// <summary>host.json's queue settings as the local host reads them, and the app settings that override them.</summary>
public sealed class QueueHostSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("functrace-hostjson-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheLocalHostReadsTheRepositoryHostJsonCopiedBesideIt()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?>());
        await app.StartAsync();

        var settings = app.Services.GetRequiredService<IOptions<QueueHostOptions>>().Value;

        Assert.Equal(16, settings.BatchSize);
        Assert.Equal(8, settings.EffectiveNewBatchThreshold);
        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.MaxPollingInterval);
    }

    [Fact]
    public async Task AnAppSettingOverridesHostJsonAsTheFunctionsHostAllows()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "7" });
        await app.StartAsync();

        var settings = app.Services.GetRequiredService<IOptions<QueueHostOptions>>().Value;

        Assert.Equal(7, settings.BatchSize);
        Assert.Equal(5, settings.MaxDequeueCount);
    }

    [Fact]
    public void AnEnvironmentVariableWithDoubleUnderscoresOverridesHostJson()
    {
        WriteHostJson("""{"version":"2.0","extensions":{"queues":{"batchSize":16,"visibilityTimeout":"00:00:30"}}}""");
        // A prefix of its own keeps this variable from every other app in the test run.
        var prefix = "FT" + Guid.NewGuid().ToString("N") + "_";
        Environment.SetEnvironmentVariable(prefix + "AzureFunctionsJobHost__extensions__queues__batchSize", "4");
        try
        {
            var settings = Read(new ConfigurationBuilder().AddEnvironmentVariables(prefix));

            Assert.Equal(4, settings.BatchSize);
            Assert.Equal(2, settings.EffectiveNewBatchThreshold);
            Assert.Equal(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "AzureFunctionsJobHost__extensions__queues__batchSize", null);
        }
    }

    [Fact]
    public void MissingValuesAreTheFunctionsHostDefaults()
    {
        WriteHostJson("""{"version":"2.0"}""");

        var settings = Read();

        Assert.Equal(16, settings.BatchSize);
        Assert.Equal(8, settings.EffectiveNewBatchThreshold);
        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.Zero, settings.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.MaxPollingInterval);
    }

    [Fact]
    public void WithoutAHostJsonTheLocalHostRefusesToStartNamingTheFile()
    {
        var failure = Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddHostJson(_directory));

        Assert.Contains(HostJson.FileName, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutOfRangeSettingsAreRejectedWithTheSettingNamed()
    {
        var settings = new QueueHostOptions { BatchSize = 33, MaxDequeueCount = 0, MaxPollingInterval = TimeSpan.Zero, VisibilityTimeout = TimeSpan.FromDays(8), NewBatchThreshold = -1 };

        var result = new QueueHostOptionsValidator().Validate(null, settings);

        Assert.True(result.Failed);
        Assert.All(["batchSize", "maxDequeueCount", "maxPollingInterval", "visibilityTimeout", "newBatchThreshold"],
            name => Assert.Contains(name, result.FailureMessage, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnworkableQueueSettingStopsTheStartNamingIt()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "64" });

        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(app.StartAsync);

        Assert.Contains("batchSize", failure.Message, StringComparison.Ordinal);
    }

    private void WriteHostJson(string json) => File.WriteAllText(Path.Combine(_directory, HostJson.FileName), json);

    /// <summary>As the local host does: host.json added after the other sources, yet below them.</summary>
    private QueueHostOptions Read(IConfigurationBuilder? configuration = null)
    {
        configuration ??= new ConfigurationBuilder();
        configuration.AddHostJson(_directory);
        var settings = new QueueHostOptions();
        configuration.Build().GetSection(QueueHostOptions.Section).Bind(settings);
        return settings;
    }
}
