using System.Net;
using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Sweep;

/// <summary>Storage that cannot be reached is the service being unavailable (503, retry), not a bug (500), and the app recovers by itself.</summary>
public sealed class StorageOutageTests
{
    [Fact]
    public async Task WhileStorageIsDownEveryRouteAnswers503InTheEnvelopeOrServesAndTheAppRecoversWithoutARestart()
    {
        await using var proxy = StorageProxy.Start();
        var logs = new LogRecorder();
        await using var app = FuncTraceApp.WithFunctions(FunctionCatalog.Instance, s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs), new Dictionary<string, string?> { ["AzureWebJobsStorage"] = proxy.ConnectionString });
        await app.StartAsync();
        var tenantKey = await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest", "review", "admin");
        using var client = app.CreateClient();

        proxy.Down();
        var cases = (from route in SweepRoute.All(FunctionCatalog.Instance)
                     from key in route.IsAnonymous ? new string?[] { null } : [tenantKey, FuncTraceApp.AdminKey]
                     select new SweepCase("storage is down", route, route.Method, route.Path(_ => SweepSeed.Unknown), key,
                         SampleBodies.For(route) is { } json ? () => SweepRunner.Json(json) : null)
                     {
                         StorageIsDown = true,
                     }).ToList();
        var violations = await SweepRunner.RunAsync(client, cases);
        using var down = await client.SendAsync(Get("/api/admin/keys", tenantKey));
        var envelope = await ApiAssert.ErrorAsync(down, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");

        proxy.Up();
        using var recovered = await client.SendAsync(Get("/api/admin/keys", tenantKey));
        using var health = await client.GetAsync("/api/health");

        Assert.True(violations.Count == 0, string.Join("\n", violations) + ExceptionsOf(logs));
        Assert.DoesNotContain("127.0.0.1", envelope.GetRawText(), StringComparison.Ordinal);
        await ApiAssert.JsonAsync(recovered, HttpStatusCode.OK);
        await ApiAssert.JsonAsync(health, HttpStatusCode.OK);
    }

    [Fact]
    public async Task AKeyThatCannotBeCheckedWhileStorageIsDownIs503NotA401()
    {
        await using var proxy = StorageProxy.Start();
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = proxy.ConnectionString });
        await app.StartAsync();
        proxy.Down();
        using var client = app.ClientWithKey("ftk_some-tenant-key");

        using var response = await client.GetAsync("/api/admin/keys");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
    }

    [Theory]
    [InlineData(503, "ServerBusy")]
    [InlineData(500, "InternalError")]
    [InlineData(429, "TooManyRequests")]
    public async Task StorageThatAnswersWithItsOwnFailureIs503ForTheClient(int status, string code)
    {
        await using var storage = await ScriptedStorageServer.StartAsync(async context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers["x-ms-error-code"] = code;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"scripted\"}}}");
        });
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString });
        await app.StartAsync();
        using var client = app.ClientWithKey("ftk_some-tenant-key");

        using var response = await client.GetAsync("/api/admin/keys");

        await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
    }

    [Fact]
    public async Task StorageThatAnswersGarbageIsNotCalledTheClientsMistake()
    {
        await using var storage = await ScriptedStorageServer.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("<html>not storage</html>");
        });
        await using var app = FuncTraceApp.WithSettings(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString });
        await app.StartAsync();
        using var client = app.ClientWithKey("ftk_some-tenant-key");

        using var response = await client.GetAsync("/api/admin/keys");

        Assert.True((int)response.StatusCode >= 500, $"A garbled storage answer was blamed on the client: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>What the app logged as errors, to say why a request broke the rules.</summary>
    private static string ExceptionsOf(LogRecorder logs) => "\n" + string.Join("\n", logs.Exceptions);

    private static HttpRequestMessage Get(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", key);
        return request;
    }
}
