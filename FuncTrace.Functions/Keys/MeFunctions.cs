using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Keys;

/// <summary>
/// The caller's own key, for a client (the reviewer page) to say what a key may do before it tries.
/// <code>
/// GET api/me   Me   {key_id, tenant, roles}; tenant is null for the bootstrap admin key
/// </code>
/// </summary>
public sealed class MeFunctions
{
    private const string Me = "api/me";

    [Function("Me")]
    [Access(Access.AnyRole)]
    public Ok<MeResponse> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Me)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = request.Caller();
        return TypedResults.Ok(new MeResponse(caller.KeyId, caller.Tenant, caller.Roles.Order(StringComparer.Ordinal).ToList()));
    }
}

public sealed record MeResponse(string KeyId, string? Tenant, IReadOnlyList<string> Roles);
