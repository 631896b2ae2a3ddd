using FuncTrace.Functions.Shared;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// HTTP through the ASP.NET Core integration; API keys, the error envelope, request ids, CORS and rate limits around every HTTP function.
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ApiPipelineMiddleware>();

// Every feature's services: the same registration the local host runs.
builder.Services.AddFuncTrace(builder.Configuration);

// Application Insights: the worker's own telemetry alongside the host's.
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();

builder.Build().Run();
