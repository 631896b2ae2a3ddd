using System.Net;
using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class PromptWithoutLlmTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    [Fact]
    public async Task APromptIsServiceUnavailableAndNamesTheSettingsToSet()
    {
        var key = await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
        using var client = app.ClientWithKey(key);

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "x" } } });

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        var error = envelope.GetProperty("error");
        Assert.Contains("FuncTrace__Llm__Endpoint", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("FuncTrace__Llm__Model", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["FuncTrace__Llm__Endpoint", "FuncTrace__Llm__Model"], error.GetProperty("details").GetProperty("settings").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task TheRestOfTheAppWorksWithoutTheLlm()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/health");

        var body = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
    }
}
