using FuncTrace.Domain.Conversations;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Keys;
using FuncTrace.Domain.Status;
using FuncTrace.Domain.Usage;
using FuncTrace.Functions.Functions;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Hosting;

/// <summary>
/// The faces over events and feedback: conversations, sessions, usage and cost, status, the external trace API and
/// its registered users, plus the aggregates every stored event updates and the CORS policy for browser clients.
/// </summary>
public static class FacesSetup
{
    public static IServiceCollection AddFaces(this IServiceCollection services)
    {
        // Rows every stored event updates in its own transaction (EventService takes them all).
        services.AddSingleton<IEventAggregate, ConversationAggregate>();
        services.AddSingleton<IEventAggregate, UsageAggregate>();
        services.AddSingleton<TenantCounters>();
        services.AddSingleton<IEventAggregate>(sp => sp.GetRequiredService<TenantCounters>());
        services.AddSingleton<EventAggregates>();

        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.Section);
        services.AddSingleton(sp => new ModelPrices(sp.GetRequiredService<IOptions<PricingOptions>>().Value));
        services.AddSingleton<UsageService>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<StatusService>();
        services.AddSingleton<RegisteredUserService>();

        services.AddOptions<SessionStreamOptions>().BindConfiguration(SessionStreamOptions.Section)
            .Validate(o => o.HeartbeatSeconds > 0 && o.PollMilliseconds > 0, "FuncTrace:Sessions:HeartbeatSeconds and PollMilliseconds must be positive.")
            .ValidateOnStart();
        services.AddOptions<ExternalTraceOptions>().BindConfiguration(ExternalTraceOptions.Section)
            .Validate(o => !o.HashIpAddresses || !string.IsNullOrEmpty(o.IpHashSalt), "FuncTrace:ExternalTrace:HashIpAddresses needs FuncTrace:ExternalTrace:IpHashSalt, a secret of this deployment.")
            .ValidateOnStart();

        services.AddOptions<CorsSettings>().BindConfiguration(CorsSettings.Section);
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<CorsSettings>>((cors, settings) => cors.AddDefaultPolicy(policy =>
                policy.WithOrigins(settings.Value.OriginList()).AllowAnyHeader().AllowAnyMethod()));
        return services;
    }

    public static IEndpointRouteBuilder MapFaceFunctions(this IEndpointRouteBuilder routes)
    {
        routes.MapConversationFunctions();
        routes.MapSessionFunctions();
        routes.MapUsageFunctions();
        routes.MapStatusFunctions();
        routes.MapExternalTraceFunctions();
        routes.MapRegisteredUserFunctions();
        return routes;
    }
}
