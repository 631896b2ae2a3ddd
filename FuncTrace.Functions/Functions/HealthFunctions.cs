using System.Diagnostics;
using System.Reflection;
using FuncTrace.Domain.Storage;

namespace FuncTrace.Functions.Functions;

/// <summary><c>GET /api/health</c>: no key; 200 healthy, or 503 degraded when storage cannot be reached.</summary>
public static class HealthFunctions
{
    private static readonly TimeSpan StorageProbeTimeout = TimeSpan.FromSeconds(3);
    private static readonly DateTimeOffset StartedAt = ProcessStart();
    private static readonly string Version =
        typeof(HealthFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthFunctions(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/health", GetHealth).WithName("Health").WithSummary("Service and storage health").AllowAnonymous();
        return routes;
    }

    public static async Task<IResult> GetHealth(StorageCatalog storage, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        string? storageError = null;
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(StorageProbeTimeout);
        try
        {
            await storage.Table(StorageNames.KeysTable).GetEntityIfExistsAsync("health", "probe", cancellationToken: probe.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            storageError = ex is OperationCanceledException ? "storage did not answer in time" : "storage is unreachable";
            loggers.CreateLogger(typeof(HealthFunctions)).LogWarning(ex, "Health probe could not reach storage");
        }

        var body = new Dictionary<string, object?>
        {
            ["status"] = storageError is null ? "healthy" : "degraded",
            ["timestamp"] = time.GetUtcNow(),
            ["version"] = Version,
            ["uptime"] = Math.Round((time.GetUtcNow() - StartedAt).TotalSeconds, 1),
        };
        if (storageError is not null)
        {
            body["storage"] = storageError;
        }
        return Results.Json(body, statusCode: storageError is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static DateTimeOffset ProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return process.StartTime.ToUniversalTime();
    }
}
