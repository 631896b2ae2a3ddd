using System.Text.Json;
using FuncTrace.Domain.Usage;
using FuncTrace.Functions.Agents;
using FuncTrace.Functions.Artifacts;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Functions.Chat;
using FuncTrace.Functions.Commands;
using FuncTrace.Functions.Config;
using FuncTrace.Functions.Conversations;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.External;
using FuncTrace.Functions.Feedback;
using FuncTrace.Functions.Keys;
using FuncTrace.Functions.Llm;
using FuncTrace.Functions.Observability;
using FuncTrace.Functions.Prompt;
using FuncTrace.Functions.Review;
using FuncTrace.Functions.Sessions;
using FuncTrace.Functions.Shared.Storage;
using FuncTrace.Functions.Status;
using FuncTrace.Functions.Usage;
using FuncTrace.Functions.Views;
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
        services.AddCheckedOptions<FuncTraceOptions, FuncTraceOptionsValidator>(FuncTraceOptions.Section);
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
        services.AddCheckedOptions<RateLimitOptions, RateLimitOptionsValidator>(RateLimitOptions.Section);
        services.AddOptions<ExternalTraceSwitch>().BindConfiguration(ExternalTraceSwitch.Section);
        services.AddSingleton<Cors>();
        services.AddSingleton<RateLimits>();
        services.AddSingleton<ApiPipeline>();

        // API keys, cached for 30 s, and the short-lived stream tokens an EventSource can carry.
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<StreamTokenService>();

        // Ingest: slots, their intents and the derived views they keep up to date.
        services.AddCheckedOptions<IngestOptions, IngestOptionsValidator>(IngestOptions.Section);
        services.AddSingleton<IngestJournal>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestJournal>());
        services.AddSingleton<ViewRowCache>();
        services.AddSingleton<ViewWriter>();
        services.AddSingleton<SlotRecovery>();
        services.AddSingleton<QueueRetries>();
        services.AddSingleton<TimelineReader>();

        // Events, feedback and the review queue.
        services.AddCheckedOptions<EventOptions, EventOptionsValidator>(EventOptions.Section);
        services.AddSingleton<PayloadStore>();
        services.AddSingleton<EventReader>();
        services.AddSingleton<EventService>();
        services.AddSingleton<ReviewLeases>();
        services.AddSingleton<ReviewQueue>();
        services.AddSingleton<FeedbackService>();

        // The reviewer page's files.
        services.AddSingleton<ReviewAssets>();

        // Artifacts: files attached to events, in Blob Storage.
        services.AddSingleton<ArtifactService>();
        services.AddSingleton<ArtifactReader>();

        // The external trace face and the emails registered to use it.
        services.AddCheckedOptions<ExternalTraceOptions, ExternalTraceOptionsValidator>(ExternalTraceOptions.Section);
        services.AddSingleton<RegisteredUserService>();

        // The faces over them: conversations, sessions and their live tail, usage and cost, status.
        services.AddSingleton<ConversationService>();
        services.AddSingleton<ConversationSearch>();
        services.AddSingleton<ConversationExport>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<SessionEvents>();
        services.AddCheckedOptions<SessionOptions, SessionOptionsValidator>(SessionOptions.Section);
        services.AddOptions<PricingOptions>().BindConfiguration(PricingOptions.Section);
        services.AddSingleton(sp => new ModelPrices(sp.GetRequiredService<IOptions<PricingOptions>>().Value));
        services.AddSingleton<UsageReader>();
        services.AddSingleton<StatusService>();

        // The LLM (prompt, the judge) and batch scoring: jobs in the jobs table, one queue message per test.
        services.AddLlm();
        services.AddCheckedOptions<BatchScoreOptions, BatchScoreOptionsValidator>(BatchScoreOptions.Section);
        services.AddSingleton<BatchJobStore>();
        services.AddSingleton<BatchJobCreator>();
        services.AddSingleton<BatchJobProgress>();

        // Session commands: the built-in types, run once each through the commands queue.
        services.AddCheckedOptions<CommandOptions, CommandOptionsValidator>(CommandOptions.Section);
        services.AddSingleton<IPromptRunner, AgentPromptRunner>();
        services.AddSingleton<ICommandType, PromptCommand>();
        services.AddSingleton<ICommandType, BatchScoreCommand>();
        services.AddSingleton<CommandTypes>();
        services.AddSingleton<CommandStore>();
        services.AddSingleton<CommandService>();
        services.AddSingleton<CommandRunner>();

        // Observability: logs, traces and the effective settings.
        services.AddCheckedOptions<ObservabilityOptions, ObservabilityOptionsValidator>(ObservabilityOptions.Section);
        services.AddSingleton<LogService>();
        services.AddSingleton<TraceService>();
        services.AddSingleton<EffectiveSettings>();

        // Agents (= engines) and chat turns over the events core.
        services.AddCheckedOptions<ChatOptions, ChatOptionsValidator>(ChatOptions.Section);
        services.AddSingleton<AgentService>();
        services.AddSingleton<AgentRunner>();
        services.AddSingleton<ChatHistory>();
        services.AddSingleton<ChatService>();
        services.AddSingleton<ChatResponder>();
        services.AddSingleton<PromptRecorder>();
        return services;
    }

    /// <summary>Binds <typeparamref name="TOptions"/> to its section and checks it at start with its validator.</summary>
    private static void AddCheckedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
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
