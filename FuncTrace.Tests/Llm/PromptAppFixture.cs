using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Llm;

/// <summary>The app pointed at a <see cref="FakeOpenAiServer"/> (one retry, so retries show but stay quick), and an ingest key.</summary>
public sealed class PromptAppFixture : IAsyncLifetime
{
    private FakeOpenAiServer? _server;
    private FuncTraceApp? _app;

    public FakeOpenAiServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    public string IngestKey { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _app = FuncTraceApp.WithSettings(_server.AppSettings(("FuncTrace:Llm:MaxRetries", "1")));
        await _app.StartAsync();
        IngestKey = await _app.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
