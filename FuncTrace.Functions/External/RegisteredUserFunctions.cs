using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.External;

/// <summary>
/// The emails allowed to submit through the external trace face, admin keys only (a tenant admin key implies its
/// tenant; the bootstrap admin key names one). The standard envelope: these are admin routes, not the external face.
/// <code>
/// POST   api/admin/users           RegisterUser     register an email (201; 200 if already registered)
/// GET    api/admin/users           ListUsers        a tenant's registered emails, in order (limit, cursor)
/// DELETE api/admin/users/{email}   UnregisterUser   unregister at once
/// </code>
/// </summary>
public sealed class RegisteredUserFunctions(RegisteredUserService users)
{
    private const string Users = "api/admin/users";
    private const string User = "api/admin/users/{email}";

    [Function("RegisterUser")]
    [Access(Access.Admin)]
    [RequestBody(typeof(RegisterUserRequest), Example = """{"email": "dev@example.com"}""")]
    public async Task<Results<Created<RegisteredUserResponse>, Ok<RegisteredUserResponse>>> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Users)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<RegisterUserRequest>(request, JsonBody.SnakeCase);
        var (user, created) = await users.AddAsync(request.Caller(), body.Tenant, body.Email, request.HttpContext.RequestAborted);
        var response = RegisteredUserResponse.From(user);
        return created
            ? TypedResults.Created($"/{Users}/{Uri.EscapeDataString(user.Email)}?tenant={Uri.EscapeDataString(user.Tenant)}", response)
            : TypedResults.Ok(response);
    }

    [Function("ListUsers")]
    [Access(Access.Admin)]
    public async Task<Ok<RegisteredUserListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Users)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var page = await users.ListAsync(request.Caller(), QueryParameters.Optional(request, "tenant"),
            QueryParameters.Limit(request, QueryParameters.MaxLimit), QueryParameters.Optional(request, "cursor"), request.HttpContext.RequestAborted);
        return TypedResults.Ok(new RegisteredUserListResponse(page.Users.Select(RegisteredUserResponse.From).ToList(), page.NextCursor));
    }

    [Function("UnregisterUser")]
    [Access(Access.Admin)]
    public async Task<NoContent> Unregister(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = User)] HttpRequest request, string email)
    {
        ArgumentNullException.ThrowIfNull(request);
        await users.RemoveAsync(request.Caller(), QueryParameters.Optional(request, "tenant"), email, request.HttpContext.RequestAborted);
        return TypedResults.NoContent();
    }
}

public sealed record RegisterUserRequest(string? Tenant, string? Email);

public sealed record RegisteredUserResponse(string Tenant, string Email, DateTimeOffset CreatedAt)
{
    public static RegisteredUserResponse From(RegisteredUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Tenant, user.Email, user.CreatedAt);
    }
}

public sealed record RegisteredUserListResponse(IReadOnlyList<RegisteredUserResponse> Users, string? NextCursor);
