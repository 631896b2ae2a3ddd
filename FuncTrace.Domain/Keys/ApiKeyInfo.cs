namespace FuncTrace.Domain.Keys;

/// <summary>What is known of a key without the key itself: safe to list.</summary>
public sealed record ApiKeyInfo(string Id, string Tenant, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

/// <summary>A key just created: the only time its secret is shown.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Key);

/// <summary>
/// Who is calling. <see cref="Tenant"/> is null only for the bootstrap admin key, which belongs to no tenant
/// and may manage all of them.
/// </summary>
public sealed record Caller(string KeyId, string? Tenant, IReadOnlySet<string> Roles)
{
    public bool IsBootstrapAdmin => Tenant is null;

    public bool Has(string role) => Roles.Contains(role) || Roles.Contains(ApiKeyRoles.Admin);

    /// <summary>The tenant whose data this caller reads and writes; the bootstrap admin key has none.</summary>
    public string DataTenant => Tenant ?? throw Errors.FuncTraceException.Forbidden(
        "The bootstrap admin key belongs to no tenant; create a tenant key with POST /api/admin/keys and use it.");
}
