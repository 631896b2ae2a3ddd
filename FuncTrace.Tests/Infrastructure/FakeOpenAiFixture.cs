using FuncTrace.FakeOpenAi;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>One <see cref="FakeOpenAiServer"/> for a test class; tests call <see cref="FakeOpenAiServer.Reset"/> first.</summary>
public sealed class FakeOpenAiFixture : IAsyncLifetime
{
    private FakeOpenAiServer? _server;

    public FakeOpenAiServer Server => _server ?? throw new InvalidOperationException("The fake server has not started.");

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
