using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace FuncTrace.Tests.Host;

/// <summary>A setting that cannot work stops the start with its name, instead of failing requests later.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("FuncTrace:BatchScore:EnqueueConcurrency", "0", "EnqueueConcurrency")]
    [InlineData("FuncTrace:BatchScore:PollIntervalMilliseconds", "0", "PollIntervalMilliseconds")]
    [InlineData("FuncTrace:Events:DataBlobThresholdBytes", "100000", "DataBlobThresholdBytes")]
    [InlineData("FuncTrace:Events:MaxBatchSize", "0", "MaxBatchSize")]
    public void AnUnworkableSettingStopsTheStartNamingIt(string setting, string value, string named)
    {
        using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { [setting] = value });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
