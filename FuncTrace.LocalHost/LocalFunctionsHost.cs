using FuncTrace.Functions.Shared;

namespace FuncTrace.LocalHost;

/// <summary>What a test changes in the local host: settings applied last, another catalog of functions, extra services.</summary>
public sealed record LocalHostOverrides(
    IDictionary<string, string?>? Settings = null,
    FunctionCatalog? Catalog = null,
    Action<IServiceCollection>? Services = null);

/// <summary>
/// Builds the local host: settings as Functions Core Tools reads them (<c>local.settings.json</c>'s <c>Values</c>, then
/// <c>host.json</c> under <c>AzureFunctionsJobHost</c>, then environment and command line), every service from
/// <see cref="FuncTraceServices.AddFuncTrace"/>, the HTTP functions of the <see cref="FunctionCatalog"/> on their routes and
/// a listener per queue-triggered function. Listens on <c>http://localhost:7071</c> unless <c>--urls</c> says otherwise.
/// </summary>
public static class LocalFunctionsHost
{
    public const string DefaultUrl = "http://localhost:7071";

    public static WebApplication Build(string[] args, LocalHostOverrides? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddLocalSettings(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        builder.Configuration.AddHostJson(AppContext.BaseDirectory);
        if (overrides?.Settings is { } settings)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        var urls = builder.Configuration["urls"] is { Length: > 0 } configured ? configured : builder.Configuration["ASPNETCORE_URLS"];
        if (string.IsNullOrEmpty(urls))
        {
            urls = DefaultUrl;
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Logs as one JSON object a line, as the Functions host collects them.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(json => json.IncludeScopes = true);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection(HostJson.ConfigurationRoot + ":logging"));

        var catalog = overrides?.Catalog ?? FunctionCatalog.Instance;
        builder.Services.AddFuncTrace(builder.Configuration);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddOptions<QueueHostOptions>().BindConfiguration(QueueHostOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<QueueHostOptions>, QueueHostOptionsValidator>();
        builder.Services.AddOptions<LocalHostOptions>().BindConfiguration(LocalHostOptions.Section);
        builder.Services.AddHostedService<QueueTriggerHost>();
        overrides?.Services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<UnmatchedRequests>();
        HttpFunctionEndpoints.Map(app, catalog);
        app.Logger.LogInformation("FuncTrace local host: {Count} HTTP functions on {Urls}", catalog.Http.Count, urls);
        return app;
    }
}
