using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Keys;

/// <summary>A stream token and the URL it opens.</summary>
public sealed record StreamGrant(string Token, string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Stream tokens let a browser's <c>EventSource</c>, which cannot send <c>X-API-Key</c>, open one event stream:
/// <c>v1.{key id}.{expiry}.{HMAC}</c>, the HMAC over the key id, the expiry and the exact path. A token opens only
/// that path, only on a function marked <see cref="StreamTokenAttribute"/>, only until it expires, and only while its
/// key exists: each use looks the key up again, so it never gives more than the key itself, and a revoked key's tokens
/// stop with it. The HMAC secret is one random row in the keys table, made by whichever instance needs it first.
/// </summary>
public sealed class StreamTokenService(TableServiceClient tables, StorageNames names, ApiKeyService keys, TimeProvider time)
{
    public const string QueryParameter = "stream_token";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const string Version = "v1";
    private const int MaxPathLength = 512;
    private const string SecretPartition = "secret";
    private const string SecretRow = "stream-tokens";

    private readonly TableClient _table = tables.GetTableClient(names.Table(StorageNames.KeysTable));
    private byte[]? _secret;

    public async Task<StreamGrant> IssueAsync(Caller caller, string? path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsBootstrapAdmin)
        {
            throw FuncTraceException.Forbidden("The bootstrap admin key belongs to no tenant and follows no tenant's streams; use a tenant key.");
        }
        var target = ValidatePath(path);
        var expires = time.GetUtcNow().Add(Lifetime);
        var seconds = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        // Signed as the server will see the path (decoded), so an escaped id in the URL still matches.
        var signature = await SignAsync(caller.KeyId, seconds, PathString.FromUriComponent(target).Value!, cancellationToken).ConfigureAwait(false);
        var token = $"{Version}.{caller.KeyId}.{seconds}.{Base64Url.Encode(signature)}";
        return new StreamGrant(token, $"{target}?{QueryParameter}={token}", DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()));
    }

    /// <summary>The caller a token stands for on <paramref name="path"/>, or null when it is not good for it (now).</summary>
    public async Task<Caller?> AuthenticateAsync(string token, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Version
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || time.GetUtcNow().ToUnixTimeSeconds() >= expires
            || Base64Url.TryDecode(parts[3]) is not { } presented)
        {
            return null;
        }
        var expected = await SignAsync(parts[1], parts[2], path, cancellationToken).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return null;
        }
        return await keys.FindByIdAsync(parts[1], cancellationToken).ConfigureAwait(false);
    }

    private static string ValidatePath(string? path)
    {
        Validation.Required(path, "path", MaxPathLength);
        if (!path!.StartsWith("/api/", StringComparison.Ordinal) || path.AsSpan().IndexOfAny("?#\\") >= 0
            || path.Contains("/../", StringComparison.Ordinal) || path.Contains("/./", StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            throw FuncTraceException.Validation("'path' must be the path of an event stream of this API, such as /api/batchScore/{jobId}/events, without a query.", "path");
        }
        return path;
    }

    private async Task<byte[]> SignAsync(string keyId, string expires, string path, CancellationToken cancellationToken)
    {
        var secret = _secret ??= await SecretAsync(cancellationToken).ConfigureAwait(false);
        return HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{Version}\n{keyId}\n{expires}\n{path}"));
    }

    private async Task<byte[]> SecretAsync(CancellationToken cancellationToken)
    {
        var stored = (await _table.GetEntityIfExistsAsync<TableEntity>(SecretPartition, SecretRow, cancellationToken: cancellationToken).ConfigureAwait(false)).ValueOrNull();
        if (stored?.GetBinary("Value") is { Length: 32 } existing)
        {
            return existing;
        }
        try
        {
            var created = RandomNumberGenerator.GetBytes(32);
            await _table.AddEntityAsync(new TableEntity(SecretPartition, SecretRow) { ["Value"] = created }, cancellationToken).ConfigureAwait(false);
            return created;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another instance made it first: everyone signs with that one.
            var winner = await _table.GetEntityAsync<TableEntity>(SecretPartition, SecretRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            return winner.Value.GetBinary("Value");
        }
    }
}
