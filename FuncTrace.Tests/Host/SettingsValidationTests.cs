using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Host;

/// <summary>A setting that cannot work stops the start with its name, instead of failing requests later.</summary>
public sealed class SettingsValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("has-dash")]
    [InlineData("9starts-with-digit")]
    public void AStoragePrefixThatCannotNameATableIsRefused(string prefix)
    {
        var result = new FuncTraceOptionsValidator().Validate(null, new FuncTraceOptions { StoragePrefix = prefix });

        Assert.True(result.Failed);
        Assert.Contains("FuncTrace__StoragePrefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAppRefusesToStartWithoutAStoragePrefixAndNamesTheSetting()
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["FuncTrace:StoragePrefix"] = null });

        var failure = await Assert.ThrowsAnyAsync<Exception>(app.StartAsync);

        Assert.Contains("FuncTrace__StoragePrefix", failure.ToString(), StringComparison.Ordinal);
    }
}
