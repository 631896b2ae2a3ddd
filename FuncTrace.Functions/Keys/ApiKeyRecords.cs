namespace FuncTrace.Functions.Keys;

/// <summary>Every field may be left out (the defaults say so to the OpenAPI document); the service says which are needed.</summary>
public sealed record CreateKeyRequest(string? Tenant = null, List<string>? Roles = null, string? Name = null);

public sealed record KeyResponse(string Id, string Tenant, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt)
{
    public static KeyResponse From(ApiKeyInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(info.Id, info.Tenant, info.Name, info.Roles, info.CreatedAt);
    }
}

/// <summary>The one answer that holds the key itself.</summary>
public sealed record CreatedKeyResponse(string Id, string Key, string Tenant, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt)
{
    public static CreatedKeyResponse From(CreatedApiKey created)
    {
        ArgumentNullException.ThrowIfNull(created);
        return new(created.Info.Id, created.Key, created.Info.Tenant, created.Info.Name, created.Info.Roles, created.Info.CreatedAt);
    }
}

public sealed record KeyListResponse(IReadOnlyList<KeyResponse> Keys);
