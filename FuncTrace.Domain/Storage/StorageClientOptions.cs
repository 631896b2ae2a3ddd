using Azure.Core;

namespace FuncTrace.Domain.Storage;

/// <summary>Pipeline options for the storage clients: Azure.Core's retry (5xx, 429, timeouts), logging and diagnostics.</summary>
public sealed class StorageClientOptions : ClientOptions
{
    /// <summary>The Blob and Queue REST API version sent as <c>x-ms-version</c> (Azurite 3.35 runs with --skipApiVersionCheck).</summary>
    public string ServiceVersion { get; set; } = "2025-01-05";

    /// <summary>The Table REST API version: the one the official Tables SDK speaks.</summary>
    public string TableServiceVersion { get; set; } = "2019-02-02";

    public StorageClientOptions()
    {
        Retry.MaxRetries = 4;
        Retry.Mode = RetryMode.Exponential;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(8);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
        Diagnostics.IsLoggingContentEnabled = false;
    }
}
