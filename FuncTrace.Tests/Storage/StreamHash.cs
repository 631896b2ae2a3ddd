using System.Security.Cryptography;

namespace FuncTrace.Tests.Storage;

/// <summary>SHA-256 of a stream read in small chunks, so large blobs are never held in memory.</summary>
public static class StreamHash
{
    public static async Task<(string Sha256, long Length)> Sha256Async(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            length += read;
        }
        return (Convert.ToHexString(hash.GetHashAndReset()), length);
    }
}
