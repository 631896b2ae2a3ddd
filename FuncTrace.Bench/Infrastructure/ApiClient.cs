using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>The app's HTTP API as the scenarios use it, over the bench's one shared <see cref="HttpClient"/>.</summary>
public sealed class ApiClient(HttpClient http, Uri baseAddress, string key, string tenant)
{
    public string Tenant => tenant;

    public Uri BaseAddress => baseAddress;

    public HttpClient Http => http;

    /// <summary>A new tenant with an ingest+review key, created with the bootstrap admin key.</summary>
    public static async Task<ApiClient> ForNewTenantAsync(HttpClient http, Uri baseAddress, string adminKey, string tenant)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "api/admin/keys"))
        {
            Content = JsonContent.Create(new { tenant, roles = new[] { "ingest", "review" }, name = "bench" }),
        };
        request.Headers.Add("X-API-Key", adminKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new ApiClient(http, baseAddress, body.RootElement.GetProperty("key").GetString()!, tenant);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, new Uri(baseAddress, path)) { Content = content };
        request.Headers.Add("X-API-Key", key);
        return request;
    }

    /// <summary>Sends and reads the whole answer; returns whether its status was <paramref name="expected"/>.</summary>
    public async Task<bool> SendAsync(HttpRequestMessage request, HttpStatusCode expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using (request)
        using (var response = await http.SendAsync(request, cancellationToken))
        {
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            return response.StatusCode == expected;
        }
    }

}
