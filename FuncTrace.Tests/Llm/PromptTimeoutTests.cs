using System.Net;
using System.Net.Http.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

public sealed class PromptTimeoutTests(FakeOpenAiFixture fixture) : IClassFixture<FakeOpenAiFixture>
{
    [Fact]
    public async Task AModelSlowerThanTheTimeoutIsAGatewayTimeoutSayingSo()
    {
        var server = fixture.Server;
        server.Reset();
        server.Latency = TimeSpan.FromSeconds(5);
        await using var app = FuncTraceApp.WithSettings(server.AppSettings(("FuncTrace:Llm:TimeoutSeconds", "1"), ("FuncTrace:Llm:MaxRetries", "0")));
        await app.StartAsync();
        var key = await app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
        using var client = app.ClientWithKey(key);

        using var response = await client.PostAsJsonAsync("/api/prompt", new { system = "s", messages = new[] { new { role = "user", content = "x" } } });

        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.GatewayTimeout, "UPSTREAM_TIMEOUT");
        var error = envelope.GetProperty("error");
        Assert.Contains("timeout", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("timeout", error.GetProperty("details").GetProperty("reason").GetString());
        Assert.Single(server.Requests);
    }
}
