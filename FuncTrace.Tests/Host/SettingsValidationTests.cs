using FuncTrace.Domain.BatchScoring;
using FuncTrace.Domain.Events;
using FuncTrace.Functions.Hosting;

namespace FuncTrace.Tests.Host;

/// <summary>A setting that cannot work stops the start with its name, instead of failing requests later.</summary>
public sealed class SettingsValidationTests
{
    [Fact]
    public void TheDefaultsAreValid()
    {
        Assert.True(new EventOptionsValidator().Validate(null, new EventOptions()).Succeeded);
        Assert.True(new BatchScoreOptionsValidator().Validate(null, new BatchScoreOptions()).Succeeded);
    }

    [Theory]
    [InlineData(0, 10, "EnqueueConcurrency")]
    [InlineData(4, 0, "PollIntervalMilliseconds")]
    public void AnUnworkableBatchScoreSettingIsNamed(int enqueueConcurrency, int pollInterval, string named)
    {
        var options = new BatchScoreOptions { EnqueueConcurrency = enqueueConcurrency, PollIntervalMilliseconds = pollInterval };

        var result = new BatchScoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100_000, 500, "DataBlobThresholdBytes")]
    [InlineData(32_768, 0, "MaxBatchSize")]
    public void AnUnworkableEventsSettingIsNamed(int threshold, int maxBatch, string named)
    {
        var options = new EventOptions { DataBlobThresholdBytes = threshold, MaxBatchSize = maxBatch };

        var result = new EventOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(named, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAppRefusesToStartWithAnUnworkableSetting()
    {
        using var app = Infrastructure.FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:BatchScore:EnqueueConcurrency"] = "0" });

        Assert.ThrowsAny<Exception>(() => app.CreateClient());
    }
}
