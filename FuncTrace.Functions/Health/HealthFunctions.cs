using System.Diagnostics;
using System.Reflection;
using Azure.Data.Tables;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Health;

/// <summary>
/// <code>
/// GET api/health   Health   no key; 200 healthy, or 503 degraded when storage cannot be reached
/// </code>
/// </summary>
public sealed class HealthFunctions(TableServiceClient tables, StorageNames names, TimeProvider time, ILogger<HealthFunctions> logger)
{
    private const string HealthRoute = "api/health";
    private static readonly TimeSpan StorageProbeTimeout = TimeSpan.FromSeconds(3);
    private static readonly DateTimeOffset StartedAt = ProcessStart();
    private static readonly string Version =
        typeof(HealthFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    [Function("Health")]
    [Access(Access.Anonymous)]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status503ServiceUnavailable)]
    public async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = HealthRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        string? storageError = null;
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(StorageProbeTimeout);
        try
        {
            await tables.GetTableClient(names.Table(StorageNames.KeysTable)).GetEntityIfExistsAsync<TableEntity>("health", "probe", cancellationToken: probe.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            storageError = ex is OperationCanceledException ? "storage did not answer in time" : "storage is unreachable";
            logger.LogWarning(ex, "Health probe could not reach storage");
        }
        var now = time.GetUtcNow();
        var body = new HealthResponse(storageError is null ? "healthy" : "degraded", now, Version, Math.Round((now - StartedAt).TotalSeconds, 1), storageError);
        return storageError is null
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static DateTimeOffset ProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return process.StartTime.ToUniversalTime();
    }
}

public sealed record HealthResponse(string Status, DateTimeOffset Timestamp, string Version, double Uptime, string? Storage);
