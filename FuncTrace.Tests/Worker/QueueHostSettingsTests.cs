using FuncTrace.Functions.Hosting;
using FuncTrace.Functions.Workers;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FuncTrace.Tests.Worker;

public sealed class QueueHostSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("functrace-hostjson-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheAppReadsTheRepositoryHostJsonCopiedBesideItsExecutable()
    {
        using var app = new FuncTraceApp();

        var settings = app.Services.GetRequiredService<IOptions<QueueHostSettings>>().Value;

        Assert.Equal(16, settings.BatchSize);
        Assert.Equal(8, settings.EffectiveNewBatchThreshold);
        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.MaxPollingInterval);
    }

    [Fact]
    public void AnAppSettingOverridesHostJsonAsTheFunctionsHostAllows()
    {
        using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureFunctionsJobHost:extensions:queues:batchSize"] = "7" });

        var settings = app.Services.GetRequiredService<IOptions<QueueHostSettings>>().Value;

        Assert.Equal(7, settings.BatchSize);
        Assert.Equal(5, settings.MaxDequeueCount);
    }

    [Fact]
    public void AnEnvironmentVariableOverridesHostJsonAsTheFunctionsHostAllows()
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
    public void TheFirstDirectoryHoldingAHostJsonIsUsed()
    {
        WriteHostJson("""{"extensions":{"queues":{"maxDequeueCount":2}}}""");
        var empty = Directory.CreateTempSubdirectory("functrace-nohostjson-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder();
            configuration.AddHostJson(empty, _directory, AppContext.BaseDirectory);

            Assert.Equal("2", configuration.Build()["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"]);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void OutOfRangeSettingsAreRejectedWithTheSettingNamed()
    {
        var settings = new QueueHostSettings { BatchSize = 33, MaxDequeueCount = 0, MaxPollingInterval = TimeSpan.Zero };

        var result = new QueueHostSettingsValidator().Validate(null, settings);

        Assert.True(result.Failed);
        Assert.Contains("batchSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("maxDequeueCount", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("maxPollingInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    private void WriteHostJson(string json) => File.WriteAllText(Path.Combine(_directory, HostJson.FileName), json);

    /// <summary>As the app does: host.json added after the other sources, yet below them.</summary>
    private QueueHostSettings Read(IConfigurationBuilder? configuration = null)
    {
        configuration ??= new ConfigurationBuilder();
        configuration.AddHostJson(_directory);
        var settings = new QueueHostSettings();
        configuration.Build().GetSection(QueueHostSettings.Section).Bind(settings);
        return settings;
    }
}
