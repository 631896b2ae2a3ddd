using FuncTrace.Domain.Storage;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Storage;

/// <summary>The test Azurite's endpoints with a key that is valid base64 but not the account's.</summary>
public static class WrongKeyAccount
{
    /// <summary>Azure and Azurite answer a bad signature with one of these, depending on the service.</summary>
    public static readonly string[] ErrorCodes = ["AuthenticationFailed", "AuthorizationFailure"];

    public static StorageAccount Create()
    {
        var real = TestStorage.Account;
        var wrongKey = Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        return new StorageAccount(
            real.BlobEndpoint,
            real.QueueEndpoint,
            real.TableEndpoint,
            StorageCredential.FromSharedKey(StorageAccount.DevelopmentAccountName, wrongKey));
    }
}
