using Azure.Core;

namespace FuncTrace.Domain.Storage;

/// <summary>One of the three ways a request to the account is authorised.</summary>
public sealed class StorageCredential
{
    private StorageCredential(string? accountName, byte[]? accountKey, TokenCredential? token, string? sas)
    {
        AccountName = accountName;
        AccountKey = accountKey;
        Token = token;
        SharedAccessSignature = sas;
    }

    public string? AccountName { get; }
    internal byte[]? AccountKey { get; }
    public TokenCredential? Token { get; }
    public string? SharedAccessSignature { get; }

    public static StorageCredential FromSharedKey(string accountName, string base64Key)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            throw new StorageConfigurationException("The storage account key is not valid base64.");
        }
        return new StorageCredential(accountName, key, null, null);
    }

    public static StorageCredential FromToken(TokenCredential token) => new(null, null, token, null);

    public static StorageCredential FromSas(string sas) => new(null, null, null, sas.TrimStart('?'));
}
