using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Shared;

/// <summary>The roles a key can hold. Admin may do everything the others may.</summary>
public static class ApiRoles
{
    public const string Ingest = "ingest";
    public const string Review = "review";
    public const string Admin = "admin";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Ingest, Review, Admin };
}

/// <summary>
/// Who is calling. <see cref="Tenant"/> is null only for the bootstrap admin key, which belongs to no tenant
/// and may manage all of them.
/// </summary>
public sealed record Caller(string KeyId, string? Tenant, IReadOnlySet<string> Roles)
{
    public bool IsBootstrapAdmin => Tenant is null;

    public bool Has(string role) => Roles.Contains(role) || Roles.Contains(ApiRoles.Admin);

    /// <summary>The tenant whose data this caller reads and writes; the bootstrap admin key has none.</summary>
    public string DataTenant => Tenant ?? throw FuncTraceException.Forbidden(
        "The bootstrap admin key belongs to no tenant; create a tenant key with POST /api/admin/keys and use it.");
}

public static class CallerExtensions
{
    /// <summary>The caller the pipeline authenticated for this request.</summary>
    public static Caller Caller(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.Features.Get<Caller>()
            ?? throw new InvalidOperationException("This function has no authenticated caller: mark it [Access(...)] with a role.");
    }
}
