using System.Text.RegularExpressions;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>
/// The app with a fake judge and quick queue retries. The judge answers from the test text: "want N" scores
/// N, "garbled" answers prose without a score, "fail" answers 500, "slow" waits a second first.
/// </summary>
public sealed partial class BatchScoreAppFixture : IAsyncLifetime
{
    private FakeOpenAiServer? _server;
    private FuncTraceApp? _app;

    public FakeOpenAiServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>Retries 0.2 s apart, three attempts, quick polling: a failing test reaches the poison queue in about a second.</summary>
    public static Dictionary<string, string?> QuickQueueSettings() => new()
    {
        ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00.2",
        ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3",
        ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.2",
        ["FuncTrace:BatchScore:PollIntervalMilliseconds"] = "50",
        ["FuncTrace:BatchScore:MaxTests"] = "50",
        ["FuncTrace:Llm:MaxRetries"] = "0",
    };

    /// <summary>An app of its own on the same judge, with <paramref name="extra"/> settings; started.</summary>
    public async Task<FuncTraceApp> StartAppAsync(params (string Name, string? Value)[] extra)
    {
        var settings = Server.AppSettings();
        foreach (var (name, value) in QuickQueueSettings())
        {
            settings[name] = value;
        }
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }
        var app = FuncTraceApp.WithSettings(settings);
        await app.StartAsync();
        return app;
    }

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _server.Fallback = Judge;
        _app = await StartAppAsync();
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

    public static FakeReply Judge(FakeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = request.Messages.Last(m => m.Role == "user").Content;
        if (text.Contains("fail", StringComparison.Ordinal))
        {
            return FakeReply.Error(500, "The model crashed");
        }
        if (text.Contains("garbled", StringComparison.Ordinal))
        {
            return FakeReply.Text("I would rather not say.");
        }
        var score = WantPattern().Match(text) is { Success: true } match ? match.Groups[1].Value : "5";
        var reply = FakeReply.Text($$"""{"score": {{score}}, "reasoning": "Judged: {{text}}"}""");
        return text.Contains("slow", StringComparison.Ordinal) ? reply with { Delay = TimeSpan.FromSeconds(1) } : reply;
    }

    [GeneratedRegex(@"want (-?\d+)")]
    private static partial Regex WantPattern();
}
