using FuncTrace.Functions.Shared;

namespace FuncTrace.LocalHost;

/// <summary>
/// Builds the local host: settings as Functions Core Tools reads them (<c>local.settings.json</c>'s <c>Values</c>, then
/// <c>host.json</c> under <c>AzureFunctionsJobHost</c>, then environment and command line), every service from
/// <see cref="FuncTraceServices.AddFuncTrace"/>, the HTTP functions of the <see cref="FunctionCatalog"/> on their routes and
/// a listener per queue-triggered function. Listens on <c>http://localhost:7071</c> unless <c>--urls</c> says otherwise.
/// </summary>
public static class LocalFunctionsHost
{
    public const string DefaultUrl = "http://localhost:7071";

    /// <param name="configure">Extra settings (tests), applied last.</param>
    public static WebApplication Build(string[] args, IDictionary<string, string?>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddLocalSettings(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        builder.Configuration.AddHostJson(AppContext.BaseDirectory);
        if (configure is not null)
        {
            builder.Configuration.AddInMemoryCollection(configure);
        }
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Logs as one JSON object a line, as the Functions host collects them.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(json => json.IncludeScopes = true);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection(HostJson.ConfigurationRoot + ":logging"));

        builder.Services.AddFuncTrace(builder.Configuration);
        builder.Services.AddSingleton(FunctionCatalog.Instance);
        builder.Services.AddOptions<QueueHostOptions>().BindConfiguration(QueueHostOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<QueueHostOptions>, QueueHostOptionsValidator>();
        builder.Services.AddOptions<LocalHostOptions>().BindConfiguration(LocalHostOptions.Section);
        builder.Services.AddHostedService<QueueTriggerHost>();

        var app = builder.Build();
        app.UseMiddleware<UnmatchedRequests>();
        HttpFunctionEndpoints.Map(app, FunctionCatalog.Instance);
        return app;
    }
}
