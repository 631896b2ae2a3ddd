namespace FuncTrace.Functions.Hosting;

/// <summary>The <c>FuncTrace</c> configuration section (environment: <c>FuncTrace__Name</c>).</summary>
public sealed class FuncTraceOptions
{
    public const string Section = "FuncTrace";

    /// <summary>The bootstrap admin key; without it only existing keys work.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Largest JSON request body accepted, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Begins every table, queue and container name, so deployments can share an account.</summary>
    public string StoragePrefix { get; set; } = "functrace";
}
