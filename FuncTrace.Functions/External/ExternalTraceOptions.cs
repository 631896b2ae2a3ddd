using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.External;

/// <summary>
/// The <c>FuncTrace:ExternalTrace</c> settings of what a trace stores (the on/off switch is
/// <see cref="Shared.ExternalTraceSwitch"/>, which the pipeline reads).
/// </summary>
public sealed class ExternalTraceOptions
{
    public const string Section = "FuncTrace:ExternalTrace";

    /// <summary>Store a keyed hash of the client's <c>ipAddress</c> instead of the address itself.</summary>
    public bool HashIpAddresses { get; set; }

    /// <summary>The per-deployment secret the IP hash is keyed with; required when <see cref="HashIpAddresses"/> is on.</summary>
    public string? IpHashSalt { get; set; }
}

public sealed class ExternalTraceOptionsValidator : IValidateOptions<ExternalTraceOptions>
{
    public ValidateOptionsResult Validate(string? name, ExternalTraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.HashIpAddresses && string.IsNullOrEmpty(options.IpHashSalt)
            ? ValidateOptionsResult.Fail("FuncTrace__ExternalTrace__HashIpAddresses is on, so FuncTrace__ExternalTrace__IpHashSalt must be set to a secret of this deployment.")
            : ValidateOptionsResult.Success;
    }
}
