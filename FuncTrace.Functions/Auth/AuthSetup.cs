using FuncTrace.Domain.Keys;
using Microsoft.AspNetCore.Authentication;

namespace FuncTrace.Functions.Auth;

/// <summary>API-key authentication and one policy per role; admin satisfies every policy.</summary>
public static class AuthSetup
{
    public const string Ingest = ApiKeyRoles.Ingest;
    public const string Review = ApiKeyRoles.Review;
    public const string Admin = ApiKeyRoles.Admin;

    /// <summary>Reading events and feedback: any role of the tenant.</summary>
    public const string Read = "read";

    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Ingest, policy => policy.RequireRole(ApiKeyRoles.Ingest, ApiKeyRoles.Admin))
            .AddPolicy(Review, policy => policy.RequireRole(ApiKeyRoles.Review, ApiKeyRoles.Admin))
            .AddPolicy(Admin, policy => policy.RequireRole(ApiKeyRoles.Admin))
            .AddPolicy(Read, policy => policy.RequireRole(ApiKeyRoles.Ingest, ApiKeyRoles.Review, ApiKeyRoles.Admin));

        // Handlers take the authenticated Caller as a parameter.
        services.AddHttpContextAccessor();
        services.AddScoped(sp => sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.Features.Get<Caller>()
            ?? throw new InvalidOperationException("This endpoint needs an authenticated caller; add RequireAuthorization."));
        return services;
    }
}
