using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Keys;

/// <summary>What is known of a key without the key itself: safe to list.</summary>
public sealed record ApiKeyInfo(string Id, string Tenant, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

/// <summary>A key just created: the only time its secret is shown.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Key);

/// <summary>
/// Creates, lists, revokes and checks API keys (rows: <see cref="ApiKeyRows"/>). A checked key is cached for
/// <see cref="CacheLifetime"/>: a revocation takes effect at once on the instance that revoked the key (it drops its
/// cache entry) and within that bound on every other instance. Unknown keys are not cached, so a new key works at once.
/// </summary>
public sealed partial class ApiKeyService
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);
    private const string KeyPrefix = "ftk_";
    private const int MaxPresentedLength = 200;

    private readonly TableClient _table;
    private readonly byte[]? _bootstrapAdminHash;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    public ApiKeyService(TableServiceClient tables, StorageNames names, IOptions<FuncTraceOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        _table = tables.GetTableClient(names.Table(StorageNames.KeysTable));
        var admin = options.Value.AdminApiKey;
        _bootstrapAdminHash = string.IsNullOrEmpty(admin) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(admin));
        _time = time;
    }

    /// <summary>The key a request presents: <c>X-API-Key</c>, or <c>Authorization: Bearer</c>.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var apiKey = request.Headers["X-API-Key"].ToString();
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            return apiKey.Trim();
        }
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;
    }

    /// <summary>The caller a presented key stands for, or null when the key is unknown or revoked.</summary>
    public async Task<Caller?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presentedKey) || presentedKey.Length > MaxPresentedLength)
        {
            return null;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        if (_bootstrapAdminHash is not null && CryptographicOperations.FixedTimeEquals(hash, _bootstrapAdminHash))
        {
            return new Caller("bootstrap", null, new HashSet<string>(StringComparer.Ordinal) { ApiRoles.Admin });
        }
        return await ByHashAsync(Convert.ToHexString(hash), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The caller a key id stands for while the key exists: what a stream token names, so that revoking the key ends its
    /// tokens too (within <see cref="CacheLifetime"/> on other instances).
    /// </summary>
    public async Task<Caller?> FindByIdAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(keyId) || !KeyIdPattern().IsMatch(keyId))
        {
            return null;
        }
        var idRow = (await _table.GetEntityIfExistsAsync<TableEntity>(ApiKeyRows.IdPartition, keyId, cancellationToken: cancellationToken).ConfigureAwait(false)).ValueOrNull();
        return idRow?.GetString("Hash") is { } hashHex ? await ByHashAsync(hashHex, cancellationToken).ConfigureAwait(false) : null;
    }

    private async Task<Caller?> ByHashAsync(string hashHex, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(hashHex, out var cached) && cached.Expires > now)
        {
            return cached.Caller;
        }
        var row = (await _table.GetEntityIfExistsAsync<TableEntity>(ApiKeyRows.HashPartition(hashHex), hashHex, cancellationToken: cancellationToken).ConfigureAwait(false)).ValueOrNull();
        if (row is null)
        {
            _cache.TryRemove(hashHex, out _);
            return null;
        }
        var caller = new Caller(row.GetString("KeyId"), row.GetString("Tenant"), ParseRoles(row.GetString("Roles")).ToHashSet(StringComparer.Ordinal));
        _cache[hashHex] = (caller, now + CacheLifetime);
        return caller;
    }

    public async Task<CreatedApiKey> CreateAsync(Caller caller, string? tenant, IReadOnlyList<string>? roles, string? name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var targetTenant = ResolveTenant(caller, tenant);
        var validRoles = ValidateRoles(roles);
        var keyName = name is null ? string.Empty : Validation.Required(name, "name", 100);

        var key = KeyPrefix + Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var hashHex = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var id = "key_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var info = new ApiKeyInfo(id, targetTenant, keyName, validRoles, _time.GetUtcNow());
        var roleText = string.Join(',', validRoles);

        // The hash row goes last: a key only works once it can also be listed and revoked.
        await _table.AddEntityAsync(ApiKeyRows.Id(id, targetTenant, hashHex), cancellationToken).ConfigureAwait(false);
        await _table.AddEntityAsync(ApiKeyRows.Listing(targetTenant, id, roleText, keyName, info.CreatedAt), cancellationToken).ConfigureAwait(false);
        await _table.AddEntityAsync(ApiKeyRows.Hash(hashHex, id, targetTenant, roleText, keyName, info.CreatedAt), cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(info, key);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(Caller caller, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var targetTenant = ResolveTenant(caller, tenant);
        var partition = ApiKeyRows.TenantPartition(targetTenant);
        var keys = new List<ApiKeyInfo>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new ApiKeyInfo(row.RowKey, targetTenant, row.GetString("Name") ?? string.Empty, ParseRoles(row.GetString("Roles")), row.GetDateTimeOffset("CreatedAt") ?? default));
        }
        return keys;
    }

    /// <summary>Revokes: the hash row goes first, and this instance forgets the key at once.</summary>
    public async Task RevokeAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (string.IsNullOrEmpty(id) || !KeyIdPattern().IsMatch(id))
        {
            throw FuncTraceException.NotFound($"No key with id '{id}'.");
        }
        var idRow = (await _table.GetEntityIfExistsAsync<TableEntity>(ApiKeyRows.IdPartition, id, cancellationToken: cancellationToken).ConfigureAwait(false)).ValueOrNull();
        var tenant = idRow?.GetString("Tenant");
        if (idRow is null || tenant is null || (!caller.IsBootstrapAdmin && caller.Tenant != tenant))
        {
            throw FuncTraceException.NotFound($"No key with id '{id}'.");
        }
        var hashHex = idRow.GetString("Hash");
        _cache.TryRemove(hashHex, out _);
        await DeleteIfExistsAsync(ApiKeyRows.HashPartition(hashHex), hashHex, cancellationToken).ConfigureAwait(false);
        await DeleteIfExistsAsync(ApiKeyRows.TenantPartition(tenant), id, cancellationToken).ConfigureAwait(false);
        await DeleteIfExistsAsync(ApiKeyRows.IdPartition, id, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // A revocation retried after a partial first attempt: already gone.
        }
    }

    /// <summary>A tenant admin acts on its own tenant only; the bootstrap admin must name one.</summary>
    public static string ResolveTenant(Caller caller, string? tenant)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsBootstrapAdmin)
        {
            return ValidateTenant(tenant);
        }
        if (tenant is not null && !string.Equals(tenant, caller.Tenant, StringComparison.Ordinal))
        {
            throw FuncTraceException.Forbidden("This key may only manage its own tenant.");
        }
        return caller.Tenant!;
    }

    public static string ValidateTenant(string? tenant)
    {
        Validation.Required(tenant, "tenant", 64);
        // Only dots would read as a path segment ("." or "..") in the blob names tenants are part of.
        if (!TenantPattern().IsMatch(tenant!) || tenant!.All(c => c == '.'))
        {
            throw FuncTraceException.Validation("'tenant' may hold only letters, digits, '.', '_' and '-', and not dots alone.", "tenant");
        }
        return tenant!;
    }

    private static List<string> ValidateRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            throw FuncTraceException.Validation($"'roles' must list at least one of: {string.Join(", ", ApiRoles.All)}.", "roles");
        }
        var unknown = roles.Where(r => !ApiRoles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
        {
            throw FuncTraceException.Validation($"Unknown role(s) {string.Join(", ", unknown.Select(r => $"'{r}'"))}; roles are {string.Join(", ", ApiRoles.All)}.", "roles");
        }
        return roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> ParseRoles(string? roles) =>
        (roles ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantPattern();

    [GeneratedRegex("^key_[0-9a-f]{16}$")]
    private static partial Regex KeyIdPattern();
}
