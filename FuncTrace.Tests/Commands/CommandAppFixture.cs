using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Commands;

/// <summary>
/// The app on the fake model with no client-side retries, so a 429 reaches the command and the queue retries it, and
/// commands following a batch job look at it every second.
/// </summary>
public class CommandAppFixture : IAsyncLifetime
{
    private readonly (string, string?)[] _settings;
    private FakeOpenAiServer? _server;
    private FuncTraceApp? _app;

    public CommandAppFixture()
        : this([])
    {
    }

    protected CommandAppFixture(params (string, string?)[] settings) => _settings = settings;

    public FakeOpenAiServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _app = FuncTraceApp.WithSettings(_server.AppSettings([("FuncTrace:Llm:MaxRetries", "0"), ("FuncTrace:Commands:FollowSeconds", "1"), .. _settings]));
        await _app.StartAsync();
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

/// <summary>The same app with its queue listeners off: a test delivers the commands queue's messages itself.</summary>
public sealed class CommandsByHandFixture() : CommandAppFixture(("LocalHost:QueueTriggers", "false"));
