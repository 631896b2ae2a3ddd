using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>One tenant's ingest and review clients, with helpers that post JSON and read it back.</summary>
public sealed class TenantClients : IDisposable
{
    private TenantClients(string tenant, HttpClient ingest, HttpClient review)
    {
        Tenant = tenant;
        Ingest = ingest;
        Review = review;
    }

    public string Tenant { get; }
    public HttpClient Ingest { get; }
    public HttpClient Review { get; }

    public static async Task<TenantClients> CreateAsync(FuncTraceApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var tenant = FuncTraceApp.NewTenant();
        return new TenantClients(
            tenant,
            app.ClientWithKey(await app.CreateKeyAsync(tenant, "ingest")),
            app.ClientWithKey(await app.CreateKeyAsync(tenant, "review")));
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<JsonElement> PostEventAsync(object body)
    {
        using var response = await Ingest.PostAsJsonAsync("/api/events", body);
        return await ApiAssert.JsonAsync(response, System.Net.HttpStatusCode.Created);
    }

    public void Dispose()
    {
        Ingest.Dispose();
        Review.Dispose();
    }
}
