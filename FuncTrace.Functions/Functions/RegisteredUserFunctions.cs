using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>Emails allowed to submit through the external trace face: <c>/api/admin/users</c>, admin keys only.</summary>
public static class RegisteredUserFunctions
{
    public sealed record RegisterUserRequest(string? Tenant, string? Email);

    public static IEndpointRouteBuilder MapRegisteredUserFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/users").RequireAuthorization(AuthSetup.Admin).WithTags("Admin");
        group.MapPost("/", RegisterUser).WithSummary("Register an email (idempotent)");
        group.MapGet("/", ListUsers).WithSummary("A tenant's registered emails");
        group.MapDelete("/{email}", RemoveUser).WithSummary("Unregister an email");
        return routes;
    }

    public static async Task<IResult> RegisterUser(HttpContext context, RegisteredUserService users, Caller caller)
    {
        var request = await JsonBody.ReadAsync<RegisterUserRequest>(context, JsonBody.SnakeCase);
        var (user, created) = await users.AddAsync(caller, request.Tenant, request.Email, context.RequestAborted);
        return Results.Json(ToResponse(user), statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public static async Task<IResult> ListUsers(string? tenant, RegisteredUserService users, Caller caller, CancellationToken cancellationToken)
    {
        var list = await users.ListAsync(caller, tenant, cancellationToken);
        return Results.Json(new { users = list.Select(ToResponse) });
    }

    public static async Task<IResult> RemoveUser(string email, string? tenant, RegisteredUserService users, Caller caller, CancellationToken cancellationToken)
    {
        await users.RemoveAsync(caller, tenant, email, cancellationToken);
        return Results.NoContent();
    }

    private static object ToResponse(RegisteredUser user) => new { tenant = user.Tenant, email = user.Email, created_at = user.CreatedAt };
}
