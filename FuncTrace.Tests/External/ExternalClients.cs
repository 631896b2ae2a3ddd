using System.Net;
using System.Net.Http.Json;
using System.Text;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.External;

/// <summary>Clients of the external trace face as its users write them, and the registration they need first.</summary>
public static class ExternalClients
{
    /// <summary>What <c>requests.post(url, json=..., headers={"X-API-Key": key})</c> sends.</summary>
    public static HttpClient PythonClient(FuncTraceApp app, string key)
    {
        ArgumentNullException.ThrowIfNull(app);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        client.DefaultRequestHeaders.Add("User-Agent", "python-requests/2.32.3");
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Registers <paramref name="email"/> for <paramref name="tenant"/> with the bootstrap admin key.</summary>
    public static async Task RegisterAsync(FuncTraceApp app, string tenant, string email)
    {
        ArgumentNullException.ThrowIfNull(app);
        using var admin = app.AdminClient();
        using var response = await admin.PostAsJsonAsync("/api/admin/users", new { tenant, email });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Submits a trace that must succeed; returns its trace id.</summary>
    public static async Task<string> SubmitAsync(HttpClient client, string json)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostAsync("/api/external/trace/submit", Json(json));
        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.True(body.GetProperty("success").GetBoolean(), body.GetRawText());
        return body.GetProperty("traceId").GetString()!;
    }
}
