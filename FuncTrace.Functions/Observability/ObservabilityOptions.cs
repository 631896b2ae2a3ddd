using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Observability;

/// <summary>The <c>FuncTrace:Observability</c> settings.</summary>
public sealed class ObservabilityOptions
{
    public const string Section = "FuncTrace:Observability";

    /// <summary>How many days back (today included) a tenant-wide log listing reads: one partition per day, so a listing reads a bounded number.</summary>
    public int LogDays { get; set; } = 30;

    /// <summary>The most events one trace request reads; a longer conversation's trace is paged with its cursor.</summary>
    public int MaxTraceEvents { get; set; } = 1000;
}

public sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.LogDays is < 1 or > 366)
        {
            failures.Add("FuncTrace__Observability__LogDays must be between 1 and 366.");
        }
        if (options.MaxTraceEvents is < 10 or > 2000)
        {
            failures.Add("FuncTrace__Observability__MaxTraceEvents must be between 10 and 2000.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
