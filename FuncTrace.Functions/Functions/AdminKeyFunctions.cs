using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>Key management: <c>/api/admin/keys</c>, admin keys only.</summary>
public static class AdminKeyFunctions
{
    public sealed record CreateKeyRequest(string? Tenant, List<string>? Roles, string? Name);

    public static IEndpointRouteBuilder MapAdminKeyFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/keys").RequireAuthorization(AuthSetup.Admin).WithTags("Admin");
        group.MapPost("/", CreateKey).WithSummary("Create an API key (shown once)");
        group.MapGet("/", ListKeys).WithSummary("List a tenant's keys (never the key itself)");
        group.MapDelete("/{id}", RevokeKey).WithSummary("Revoke a key at once");
        return routes;
    }

    public static async Task<IResult> CreateKey(HttpContext context, ApiKeyService keys, Caller caller)
    {
        var request = await JsonBody.ReadAsync<CreateKeyRequest>(context, JsonBody.SnakeCase);
        var created = await keys.CreateAsync(caller, request.Tenant, request.Roles, request.Name, context.RequestAborted);
        return Results.Json(new
        {
            id = created.Info.Id,
            key = created.Key,
            tenant = created.Info.Tenant,
            name = created.Info.Name,
            roles = created.Info.Roles,
            created_at = created.Info.CreatedAt,
        }, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> ListKeys(string? tenant, ApiKeyService keys, Caller caller, CancellationToken cancellationToken)
    {
        var list = await keys.ListAsync(caller, tenant, cancellationToken);
        return Results.Ok(new
        {
            keys = list.Select(k => new { id = k.Id, tenant = k.Tenant, name = k.Name, roles = k.Roles, created_at = k.CreatedAt }),
        });
    }

    public static async Task<IResult> RevokeKey(string id, ApiKeyService keys, Caller caller, CancellationToken cancellationToken)
    {
        await keys.RevokeAsync(caller, id, cancellationToken);
        return Results.NoContent();
    }
}
