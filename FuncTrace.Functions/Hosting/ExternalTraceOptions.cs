namespace FuncTrace.Functions.Hosting;

/// <summary>The <c>FuncTrace:ExternalTrace</c> settings of the external trace face (<c>/api/external</c>).</summary>
public sealed class ExternalTraceOptions
{
    public const string Section = "FuncTrace:ExternalTrace";

    /// <summary>When false every external route answers 503.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Store a keyed hash of the client's <c>ipAddress</c> instead of the address itself.</summary>
    public bool HashIpAddresses { get; set; }

    /// <summary>The per-deployment secret the IP hash is keyed with; required when <see cref="HashIpAddresses"/> is on.</summary>
    public string? IpHashSalt { get; set; }
}
