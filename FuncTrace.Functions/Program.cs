using FuncTrace.Domain.BatchScoring;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Feedback;
using FuncTrace.Domain.Keys;
using FuncTrace.Domain.Queues;
using FuncTrace.Domain.Storage;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Auth;
using FuncTrace.Functions.Functions;
using FuncTrace.Functions.Hosting;
using FuncTrace.Functions.Workers;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

// Settings: local.settings.json Values (as Functions Core Tools reads them), then environment variables.
builder.Configuration.AddLocalSettings(builder.Environment.ContentRootPath);
builder.Services.AddOptions<FuncTraceOptions>().BindConfiguration(FuncTraceOptions.Section);

// Listen where the Functions host tells us (custom handler) or on localhost:7071 (standalone).
HostUrls.Configure(builder);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);

// Structured JSON logs on the console; the Functions host and Application Insights collect stdout.
builder.Logging.ClearProviders();
builder.Logging.AddJsonConsole(json => json.IncludeScopes = true);

// Storage: one account from AzureWebJobsStorage in any of its forms; tables and queues created at start.
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new StorageCatalog(
    StorageAccount.FromSettings(name => sp.GetRequiredService<IConfiguration>()[name]),
    sp.GetRequiredService<IOptions<FuncTraceOptions>>().Value.StoragePrefix));
builder.Services.AddHostedService<StorageBootstrapper>();

// API keys: hashed in Table Storage, one policy per role.
builder.Services.AddSingleton(sp => new ApiKeyService(
    sp.GetRequiredService<StorageCatalog>(),
    sp.GetRequiredService<IOptions<FuncTraceOptions>>().Value.AdminApiKey,
    sp.GetRequiredService<TimeProvider>()));
builder.Services.AddApiKeyAuth();

// Events, feedback and the review queue.
builder.Services.AddOptions<EventOptions>().BindConfiguration(EventOptions.Section).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<EventOptions>, EventOptionsValidator>();
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<EventOptions>>().Value);
builder.Services.AddSingleton<PayloadStore>();
builder.Services.AddSingleton<EventService>();
builder.Services.AddSingleton<FeedbackService>();
builder.Services.AddSingleton<ReviewQueueService>();
builder.Services.AddSingleton<ArtifactService>();

// Queue workers: host.json's queue settings (beside the executable, else the content root), the handlers' invocation routes or the standalone listener.
builder.Configuration.AddHostJson(AppContext.BaseDirectory, builder.Environment.ContentRootPath);
builder.Services.AddQueueWorkers();

// LLM: prompt and judge over an OpenAI-compatible endpoint (FuncTrace:Llm); unset, only those calls answer 503.
builder.Services.AddLlm();

// Batch scoring: jobs in Table Storage, one queue message per test, the ScoreWorker queue handler.
builder.Services.AddOptions<BatchScoreOptions>().BindConfiguration(BatchScoreOptions.Section).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<BatchScoreOptions>, BatchScoreOptionsValidator>();
builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<BatchScoreOptions>>().Value);
builder.Services.AddSingleton<BatchJobService>();
builder.Services.AddSingleton<BatchJobProgress>();
builder.Services.AddSingleton<IQueueMessageHandler, ScoreWorker>();
builder.Services.AddSingleton<IQueueMessageHandler, ScorePoisonWorker>();

// Conversations, sessions, usage, status and the external trace face, and the aggregates events keep up to date.
builder.Services.AddFaces();

builder.Services.AddOpenApi();

var app = builder.Build();

// Every answer carries a request id; every failure, the error envelope.
app.UseMiddleware<RequestIdMiddleware>();
app.UseMiddleware<ErrorHandlingMiddleware>();

// Browser origins from FuncTrace:Cors:Origins; the external face's on/off switch answers before authentication.
app.UseCors();
app.UseMiddleware<ExternalTraceGate>();

app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi();
app.MapHealthFunctions();
app.MapAdminKeyFunctions();
app.MapEventFunctions();
app.MapFeedbackFunctions();
app.MapArtifactFunctions();
app.MapQueueInvocationFunctions();
app.MapPromptFunctions();
app.MapBatchScoreFunctions();

// Conversations, sessions, usage, status, the external trace face and its registered users.
app.MapFaceFunctions();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
