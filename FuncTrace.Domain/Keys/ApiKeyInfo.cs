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
}
