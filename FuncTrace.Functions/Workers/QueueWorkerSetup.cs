using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Workers;

/// <summary>The queue-worker plumbing; features add handlers with <c>services.AddSingleton&lt;IQueueMessageHandler, MyHandler&gt;()</c>.</summary>
public static class QueueWorkerSetup
{
    private static readonly TimeSpan MinLease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxLease = TimeSpan.FromDays(7);

    public static IServiceCollection AddQueueWorkers(this IServiceCollection services)
    {
        services.AddOptions<QueueHostSettings>().BindConfiguration(QueueHostSettings.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueueHostSettings>, QueueHostSettingsValidator>();
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.Section)
            .Validate(o => o.Lease >= MinLease && o.Lease <= MaxLease, $"{WorkerOptions.Section}:Lease must be between {MinLease} and 7 days.")
            .ValidateOnStart();
        services.AddSingleton<QueueHandlers>();
        services.AddSingleton<QueueAttemptRunner>();
        services.AddSingleton<QueueMessageProcessor>();
        services.AddHostedService<QueueListener>();
        return services;
    }
}
