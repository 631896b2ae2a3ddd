using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Shared;

/// <summary>The <c>FuncTrace</c> configuration section (app settings: <c>FuncTrace__Name</c>).</summary>
public sealed class FuncTraceOptions
{
    public const string Section = "FuncTrace";

    /// <summary>The bootstrap admin key; without it only keys already created work.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Largest JSON request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a request body (JSON or an artifact upload) may send nothing before it is refused with 408.</summary>
    public int RequestBodyIdleSeconds { get; set; } = 30;

    /// <summary>
    /// Begins every table, queue and container name, so deployments can share an account. Required: the queue
    /// triggers name their queues as <c>%FuncTrace:StoragePrefix%-…</c>, which the Functions host resolves from this
    /// same setting and which has no default there.
    /// </summary>
    public string? StoragePrefix { get; set; }
}

/// <summary>Stops the start with the setting's name when a value cannot work.</summary>
public sealed partial class FuncTraceOptionsValidator : IValidateOptions<FuncTraceOptions>
{
    public ValidateOptionsResult Validate(string? name, FuncTraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.StoragePrefix is null || !PrefixPattern().IsMatch(options.StoragePrefix))
        {
            failures.Add("FuncTrace__StoragePrefix must be set to 1-20 lowercase letters and digits, starting with a letter (e.g. 'functrace').");
        }
        if (options.MaxRequestBodyBytes is < 1024 or > 100L * 1024 * 1024)
        {
            failures.Add("FuncTrace__MaxRequestBodyBytes must be between 1024 and 104857600.");
        }
        if (options.RequestBodyIdleSeconds is < 1 or > 600)
        {
            failures.Add("FuncTrace__RequestBodyIdleSeconds must be between 1 and 600.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z][a-z0-9]{0,19}$")]
    private static partial Regex PrefixPattern();
}
