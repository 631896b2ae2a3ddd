using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Keys;

/// <summary>
/// Creates, lists, revokes and checks API keys. Only a key's SHA-256 is stored (keys are 256 random bits,
/// so a plain hash cannot be reversed by guessing). Three rows per key, each the point read of one question:
/// <c>hash/{sha256}</c> (who is this key?), <c>tenant|{tenant}/{id}</c> (list a tenant's keys) and
/// <c>id/{id}</c> (revoke by id).
/// </summary>
public sealed partial class ApiKeyService
{
    private const string HashPartition = "hash";
    private const string IdPartition = "id";
    private const string KeyPrefix = "ftk_";
    private readonly TableClient _table;
    private readonly byte[]? _bootstrapAdminHash;
    private readonly TimeProvider _time;

    public ApiKeyService(StorageCatalog storage, string? bootstrapAdminKey, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _table = storage.Table(StorageNames.KeysTable);
        _bootstrapAdminHash = string.IsNullOrEmpty(bootstrapAdminKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(bootstrapAdminKey));
        _time = time;
    }

    /// <summary>The caller a presented key stands for, or null when the key is unknown or revoked.</summary>
    public async Task<Caller?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presentedKey) || presentedKey.Length > 200)
        {
            return null;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        if (_bootstrapAdminHash is not null && CryptographicOperations.FixedTimeEquals(hash, _bootstrapAdminHash))
        {
            return new Caller("bootstrap", null, new HashSet<string>(StringComparer.Ordinal) { ApiKeyRoles.Admin });
        }
        var row = await _table.GetEntityIfExistsAsync(HashPartition, Convert.ToHexString(hash), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row is null
            ? null
            : new Caller(row.GetString("KeyId")!, row.GetString("Tenant")!, ParseRoles(row.GetString("Roles")).ToHashSet(StringComparer.Ordinal));
    }

    public async Task<CreatedApiKey> CreateAsync(Caller caller, string? tenant, IReadOnlyList<string>? roles, string? name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var targetTenant = ResolveTenant(caller, tenant);
        var validRoles = ValidateRoles(roles);
        var keyName = name is null ? string.Empty : Validation.Required(name, "name", 100);

        var key = KeyPrefix + Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var id = "key_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var info = new ApiKeyInfo(id, targetTenant, keyName, validRoles, _time.GetUtcNow());
        var roleText = string.Join(',', validRoles);

        // The hash row goes last: a key only works once it can also be listed and revoked.
        await _table.AddEntityAsync(new TableEntity(IdPartition, id) { { "Tenant", targetTenant }, { "Hash", hash } }, cancellationToken).ConfigureAwait(false);
        await _table.AddEntityAsync(new TableEntity(TenantPartition(targetTenant), id)
        {
            { "Name", keyName }, { "Roles", roleText }, { "CreatedAt", info.CreatedAt },
        }, cancellationToken).ConfigureAwait(false);
        await _table.AddEntityAsync(new TableEntity(HashPartition, hash)
        {
            { "KeyId", id }, { "Tenant", targetTenant }, { "Roles", roleText }, { "Name", keyName }, { "CreatedAt", info.CreatedAt },
        }, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(info, key);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(Caller caller, string? tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var targetTenant = ResolveTenant(caller, tenant);
        var keys = new List<ApiKeyInfo>();
        await foreach (var row in _table.QueryAsync(TableFilter.Create($"PartitionKey eq {TenantPartition(targetTenant)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new ApiKeyInfo(row.RowKey, targetTenant, row.GetString("Name") ?? string.Empty, ParseRoles(row.GetString("Roles")), row.GetDateTimeOffset("CreatedAt") ?? default));
        }
        return keys;
    }

    /// <summary>Revokes at once: the hash row, which every request reads, is deleted first.</summary>
    public async Task RevokeAsync(Caller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (string.IsNullOrEmpty(id) || !KeyIdPattern().IsMatch(id))
        {
            throw FuncTraceException.NotFound($"No key with id '{id}'.");
        }
        var idRow = await _table.GetEntityIfExistsAsync(IdPartition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        var tenant = idRow?.GetString("Tenant");
        if (idRow is null || tenant is null || (!caller.IsBootstrapAdmin && caller.Tenant != tenant))
        {
            throw FuncTraceException.NotFound($"No key with id '{id}'.");
        }
        await _table.DeleteEntityAsync(HashPartition, idRow.GetString("Hash")!, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _table.DeleteEntityAsync(TenantPartition(tenant), id, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _table.DeleteEntityAsync(IdPartition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
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
        if (!TenantPattern().IsMatch(tenant!))
        {
            throw FuncTraceException.Validation("'tenant' may hold only letters, digits, '.', '_' and '-'.", "tenant");
        }
        return tenant!;
    }

    private static List<string> ValidateRoles(IReadOnlyList<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            throw FuncTraceException.Validation($"'roles' must list at least one of: {string.Join(", ", ApiKeyRoles.All)}.", "roles");
        }
        var unknown = roles.Where(r => !ApiKeyRoles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
        {
            throw FuncTraceException.Validation($"Unknown role(s) {string.Join(", ", unknown.Select(r => $"'{r}'"))}; roles are {string.Join(", ", ApiKeyRoles.All)}.", "roles");
        }
        return roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> ParseRoles(string? roles) =>
        (roles ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static string TenantPartition(string tenant) => "tenant|" + tenant;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantPattern();

    [GeneratedRegex("^key_[0-9a-f]{16}$")]
    private static partial Regex KeyIdPattern();
}
