using Azure.Core;
using Azure.Identity;

namespace FuncTrace.Domain.Storage;

/// <summary>
/// Where the storage account's three services live and how to authenticate to them,
/// parsed from the <c>AzureWebJobsStorage</c> setting in every form the Functions host accepts.
/// </summary>
public sealed class StorageAccount
{
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public StorageAccount(Uri blobEndpoint, Uri queueEndpoint, Uri tableEndpoint, StorageCredential credential)
    {
        BlobEndpoint = WithTrailingSlash(blobEndpoint);
        QueueEndpoint = WithTrailingSlash(queueEndpoint);
        TableEndpoint = WithTrailingSlash(tableEndpoint);
        Credential = credential;
    }

    public Uri BlobEndpoint { get; }
    public Uri QueueEndpoint { get; }
    public Uri TableEndpoint { get; }
    public StorageCredential Credential { get; }

    /// <summary>Azurite on its default ports with the well-known development key.</summary>
    public static StorageAccount Development(string host = "127.0.0.1", int blobPort = 10000, int queuePort = 10001, int tablePort = 10002) =>
        new(
            new Uri($"http://{host}:{blobPort}/{DevelopmentAccountName}"),
            new Uri($"http://{host}:{queuePort}/{DevelopmentAccountName}"),
            new Uri($"http://{host}:{tablePort}/{DevelopmentAccountName}"),
            StorageCredential.FromSharedKey(DevelopmentAccountName, DevelopmentAccountKey));

    /// <summary>
    /// Reads the setting the way the Functions host does: <paramref name="prefix"/> itself holds a
    /// connection string, or <c>{prefix}__accountName</c> / <c>__blobServiceUri</c> / ... describe an
    /// identity-based connection.
    /// </summary>
    public static StorageAccount FromSettings(Func<string, string?> getSetting, string prefix = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(getSetting);
        var connectionString = getSetting(prefix);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Parse(connectionString);
        }

        string? Part(string name) => NullIfBlank(getSetting($"{prefix}__{name}")) ?? NullIfBlank(getSetting($"{prefix}:{name}"));

        var accountName = Part("accountName");
        var blob = Part("blobServiceUri");
        var queue = Part("queueServiceUri");
        var table = Part("tableServiceUri");
        if (accountName is null && (blob is null || queue is null || table is null))
        {
            throw new StorageConfigurationException(
                $"Storage is not configured: set '{prefix}' to a connection string (or 'UseDevelopmentStorage=true'), " +
                $"or '{prefix}__accountName', or all of '{prefix}__blobServiceUri', '__queueServiceUri' and '__tableServiceUri'.");
        }

        var credential = StorageCredential.FromToken(CreateTokenCredential(Part("credential"), Part("clientId")));
        return new StorageAccount(
            ParseUri(blob, prefix + "__blobServiceUri") ?? new Uri($"https://{accountName}.blob.core.windows.net"),
            ParseUri(queue, prefix + "__queueServiceUri") ?? new Uri($"https://{accountName}.queue.core.windows.net"),
            ParseUri(table, prefix + "__tableServiceUri") ?? new Uri($"https://{accountName}.table.core.windows.net"),
            credential);
    }

    /// <summary>Parses an Azure Storage connection string, including <c>UseDevelopmentStorage=true</c>.</summary>
    public static StorageAccount Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new StorageConfigurationException($"Malformed storage connection string segment '{Redact(segment)}': expected key=value.");
            }
            parts[segment[..equals].Trim()] = segment[(equals + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            if (parts.TryGetValue("DevelopmentStorageProxyUri", out var proxy))
            {
                var proxyUri = new Uri(proxy);
                return Development(proxyUri.Host);
            }
            return Development();
        }

        parts.TryGetValue("AccountName", out var accountName);
        parts.TryGetValue("AccountKey", out var accountKey);
        parts.TryGetValue("SharedAccessSignature", out var sas);
        var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var p) ? p : "https";
        var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";

        Uri Endpoint(string key, string service)
        {
            if (parts.TryGetValue(key, out var explicitEndpoint))
            {
                return ParseUri(explicitEndpoint, key)!;
            }
            if (string.IsNullOrEmpty(accountName))
            {
                throw new StorageConfigurationException($"Storage connection string has neither '{key}' nor 'AccountName'.");
            }
            return new Uri($"{protocol}://{accountName}.{service}.{suffix}");
        }

        var blob = Endpoint("BlobEndpoint", "blob");
        var queue = Endpoint("QueueEndpoint", "queue");
        var table = Endpoint("TableEndpoint", "table");

        StorageCredential credential;
        if (!string.IsNullOrEmpty(accountKey))
        {
            credential = StorageCredential.FromSharedKey(accountName ?? throw new StorageConfigurationException("Storage connection string has 'AccountKey' but no 'AccountName'."), accountKey);
        }
        else if (!string.IsNullOrEmpty(sas))
        {
            credential = StorageCredential.FromSas(sas);
        }
        else
        {
            throw new StorageConfigurationException("Storage connection string has no 'AccountKey' or 'SharedAccessSignature'; for managed identity use 'AzureWebJobsStorage__accountName' instead.");
        }

        return new StorageAccount(blob, queue, table, credential);
    }

    private static TokenCredential CreateTokenCredential(string? credentialKind, string? clientId)
    {
        if (string.Equals(credentialKind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return clientId is null
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }

    private static Uri? ParseUri(string? value, string settingName)
    {
        if (value is null)
        {
            return null;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new StorageConfigurationException($"Setting '{settingName}' is not an absolute http(s) URI.");
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Redact(string segment) =>
        segment.Length > 12 ? segment[..12] + "…" : segment;
}
