using System.Net;
using System.Text.Json;

namespace FuncTrace.Tests.External;

/// <summary>Assertions on the external trace face's own envelope, <c>{"success": false, "error": "..."}</c>.</summary>
public static class ExternalAssert
{
    /// <summary>Asserts the status and that the body is exactly the failure envelope; returns the error text.</summary>
    public static async Task<string> FailureAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["success", "error"], root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("success").GetBoolean());
        var error = root.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }
}
