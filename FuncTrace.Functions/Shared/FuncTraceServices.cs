using System.Text.Json;
using FuncTrace.Functions.Keys;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// The app's service registration, one call for both hosts: the isolated worker's <c>Program.cs</c> and the local host
/// run exactly this, so a feature registered here exists in both and a new function needs nothing more.
/// </summary>
public static class FuncTraceServices
{
    public static IServiceCollection AddFuncTrace(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Settings, checked at start: a value that cannot work stops the app with the setting's name.
        services.AddOptions<FuncTraceOptions>().BindConfiguration(FuncTraceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FuncTraceOptions>, FuncTraceOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        // JSON: the snake_case face by default, deep enough for whatever was accepted.
        services.ConfigureHttpJsonOptions(json => Copy(JsonBody.SnakeCase, json.SerializerOptions));

        // Storage: one client per service from AzureWebJobsStorage; tables, queues and containers created at start.
        services.AddAzureClientsCore();
        services.AddSingleton(sp => StorageConnection.FromConfiguration(configuration, sp.GetRequiredService<AzureComponentFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());
        services.AddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateQueueServiceClient());
        services.AddSingleton(sp => new StorageNames(sp.GetRequiredService<IOptions<FuncTraceOptions>>().Value.StoragePrefix!));
        services.AddHostedService<StorageBootstrapper>();

        // What runs around every HTTP function: keys, roles, CORS, rate limits, the error envelope.
        services.AddOptions<CorsOptions>().BindConfiguration(CorsOptions.Section);
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddOptions<ExternalTraceSwitch>().BindConfiguration(ExternalTraceSwitch.Section);
        services.AddSingleton<Cors>();
        services.AddSingleton<RateLimits>();
        services.AddSingleton<ApiPipeline>();

        // Features.
        services.AddSingleton<ApiKeyService>();
        return services;
    }

    private static void Copy(JsonSerializerOptions from, JsonSerializerOptions to)
    {
        to.PropertyNamingPolicy = from.PropertyNamingPolicy;
        to.DictionaryKeyPolicy = from.DictionaryKeyPolicy;
        to.DefaultIgnoreCondition = from.DefaultIgnoreCondition;
        to.NumberHandling = from.NumberHandling;
        to.MaxDepth = from.MaxDepth;
    }
}
