using System.Security.Claims;
using System.Text.Encodings.Web;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Auth;

/// <summary>
/// Authenticates <c>X-API-Key: &lt;key&gt;</c> or <c>Authorization: Bearer &lt;key&gt;</c> against the stored key
/// hashes on every request (no cache, so a revoked key stops working at once). Challenges and refusals
/// answer with the error envelope.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyService keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }
        var caller = await keys.AuthenticateAsync(presented, Context.RequestAborted);
        if (caller is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }
        Context.Features.Set(caller);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, caller.KeyId) };
        claims.AddRange(caller.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        if (caller.Tenant is not null)
        {
            claims.Add(new Claim("tenant", caller.Tenant));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = PresentedKey(Request) is null
            ? "An API key is required: send it as 'X-API-Key: <key>' or 'Authorization: Bearer <key>'."
            : "The API key is unknown or has been revoked.";
        return ApiError.WriteAsync(Context, ErrorCode.Unauthorized, message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiError.WriteAsync(Context, ErrorCode.Forbidden, "This API key's roles do not allow this request.");

    internal static string? PresentedKey(HttpRequest request)
    {
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
}
