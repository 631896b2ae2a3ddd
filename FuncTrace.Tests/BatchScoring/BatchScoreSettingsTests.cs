using FuncTrace.Domain.Llm;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Functions.Llm;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>An LLM or batch-scoring setting that cannot work stops the start with its name.</summary>
public sealed class BatchScoreSettingsTests
{
    [Fact]
    public void TheDefaultsAreValid()
    {
        Assert.True(new BatchScoreOptionsValidator().Validate(null, new BatchScoreOptions()).Succeeded);
        Assert.True(new LlmOptionsValidator().Validate(null, new LlmOptions()).Succeeded);
    }

    public static TheoryData<BatchScoreOptions, string> BadBatchScoreSettings => new()
    {
        { new() { MaxTests = 0 }, "FuncTrace__BatchScore__MaxTests" },
        { new() { MaxTests = 1001 }, "FuncTrace__BatchScore__MaxTests" },
        { new() { MaxTextLength = 30_001 }, "FuncTrace__BatchScore__MaxTextLength" },
        { new() { WaitSeconds = -1 }, "FuncTrace__BatchScore__WaitSeconds" },
        { new() { PollIntervalMilliseconds = 5 }, "FuncTrace__BatchScore__PollIntervalMilliseconds" },
        { new() { HeartbeatSeconds = 0 }, "FuncTrace__BatchScore__HeartbeatSeconds" },
        { new() { EnqueueConcurrency = 0 }, "FuncTrace__BatchScore__EnqueueConcurrency" },
        { new() { RecoverAfterSeconds = 1 }, "FuncTrace__BatchScore__RecoverAfterSeconds" },
        { new() { RecoverAfterSeconds = 60, JobTimeoutSeconds = 60 }, "FuncTrace__BatchScore__JobTimeoutSeconds" },
    };

    [Theory]
    [MemberData(nameof(BadBatchScoreSettings))]
    public void ABatchScoreSettingThatCannotWorkIsRefusedByName(BatchScoreOptions options, string setting)
    {
        var result = new BatchScoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    public static TheoryData<LlmOptions, string> BadLlmSettings => new()
    {
        { new() { Endpoint = "not a url" }, "FuncTrace__Llm__Endpoint" },
        { new() { Endpoint = "ftp://models.example/v1/" }, "FuncTrace__Llm__Endpoint" },
        { new() { TimeoutSeconds = 0 }, "FuncTrace__Llm__TimeoutSeconds" },
        { new() { MaxRetries = -1 }, "FuncTrace__Llm__MaxRetries" },
        { new() { MaxConcurrency = 0 }, "FuncTrace__Llm__MaxConcurrency" },
    };

    [Theory]
    [MemberData(nameof(BadLlmSettings))]
    public void AnLlmSettingThatCannotWorkIsRefusedByName(LlmOptions options, string setting)
    {
        var result = new LlmOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FuncTrace:BatchScore:RecoverAfterSeconds", "0", "FuncTrace__BatchScore__RecoverAfterSeconds")]
    [InlineData("FuncTrace:Llm:Endpoint", "localhost:11434", "FuncTrace__Llm__Endpoint")]
    public async Task TheAppRefusesToStartWithABadSettingAndNamesIt(string name, string value, string setting)
    {
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { [name] = value });

        var failure = await Assert.ThrowsAnyAsync<Exception>(app.StartAsync);

        Assert.Contains(setting, failure.ToString(), StringComparison.Ordinal);
    }
}
