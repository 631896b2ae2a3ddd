using System.ClientModel;
using System.ClientModel.Primitives;
using FuncTrace.Domain.Llm;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace FuncTrace.Tests.Llm;

public sealed class LlmClientFactoryTests(FakeOpenAiFixture fixture) : IClassFixture<FakeOpenAiFixture>
{
    [Theory]
    [InlineData("https://my-aoai.openai.azure.com/openai/v1/", "key", LlmAuthentication.ApiKey)]
    [InlineData("https://my-aoai.openai.azure.com/openai/v1/", null, LlmAuthentication.EntraId)]
    [InlineData("https://my-foundry.cognitiveservices.azure.com/openai/v1/", "", LlmAuthentication.EntraId)]
    [InlineData("https://api.openai.com/v1/", "sk-key", LlmAuthentication.ApiKey)]
    [InlineData("http://localhost:11434/v1/", null, LlmAuthentication.Placeholder)]
    [InlineData("https://openai.azure.com.example.org/v1/", null, LlmAuthentication.Placeholder)]
    public void AKeyWinsAndOnlyAzureHostsUseEntraId(string endpoint, string? apiKey, LlmAuthentication expected)
    {
        Assert.Equal(expected, LlmClientFactory.AuthenticationOf(new LlmOptions { Endpoint = endpoint, Model = "m", ApiKey = apiKey }));
    }

    [Fact]
    public async Task WithoutAKeyALocalServerGetsAPlaceholderKey()
    {
        var server = fixture.Server;
        server.Reset();
        var llm = new LlmService(new LlmOptions { Endpoint = server.Endpoint, Model = FakeOpenAiServer.Model });

        await llm.CompleteAsync("s", [new LlmMessage("user", "x")]);

        Assert.StartsWith("Bearer ", Assert.Single(server.Requests).Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRetryPolicyWaitsAsLongAsRetryAfterAsks()
    {
        var server = fixture.Server;
        server.Reset();
        server.Enqueue(FakeReply.RateLimited(retryAfterSeconds: 7), FakeReply.Text("done"));
        var policy = new RecordingRetryPolicy();
        var client = new ChatClient(FakeOpenAiServer.Model, new ApiKeyCredential("k"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.Endpoint),
            RetryPolicy = policy,
        });

        var answer = await new LlmService(new LlmOptions { Endpoint = server.Endpoint, Model = FakeOpenAiServer.Model }, () => client)
            .CompleteAsync("s", [new LlmMessage("user", "x")]);

        Assert.Equal("done", answer);
        Assert.Equal([TimeSpan.FromSeconds(7)], policy.Waits);
    }

    /// <summary>The library's policy, recording the waits it decides on instead of sleeping through them.</summary>
    private sealed class RecordingRetryPolicy() : ClientRetryPolicy(maxRetries: 1)
    {
        public List<TimeSpan> Waits { get; } = [];

        protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken)
        {
            Waits.Add(time);
            return Task.CompletedTask;
        }
    }
}
