using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncTrace.FakeOpenAi;

/// <summary>
/// An OpenAI-compatible server on a free loopback port, speaking the real wire format of
/// <c>POST /v1/chat/completions</c> (JSON, or <c>chat.completion.chunk</c> events ending in <c>[DONE]</c>),
/// so the real OpenAI client and its retry, timeout and streaming code run in tests. Answers come from the
/// queue of <see cref="Enqueue"/>d replies, then from <see cref="Fallback"/>; every request is recorded.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string Model = "fake-model";
    public const string ApiKey = "fake-key";

    private readonly Lock _gate = new();
    private readonly Queue<FakeReply> _replies = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly WebApplication _app;
    private int _inFlight;
    private int _peakConcurrency;

    private FakeOpenAiServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        FakeOpenAiServer? server = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => server!.AnswerAsync(context));
        await app.StartAsync();
        // Kestrel chose the port; the bound address replaces the ":0" one.
        server = new FakeOpenAiServer(app, new Uri(app.Urls.Single() + "/"));
        return server;
    }

    public Uri BaseAddress { get; }

    /// <summary>What <c>FuncTrace:Llm:Endpoint</c> is set to: the base address plus <c>/v1/</c>.</summary>
    public string Endpoint => new Uri(BaseAddress, "v1/").ToString();

    /// <summary>Waited before every answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Answers a request when the queue is empty; by default "ok".</summary>
    public Func<FakeRequest, FakeReply> Fallback { get; set; } = _ => FakeReply.Text("ok");

    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The most requests this server was answering at once.</summary>
    public int PeakConcurrency => Volatile.Read(ref _peakConcurrency);

    /// <summary>Starts <see cref="PeakConcurrency"/> again from the requests in flight now, to measure one stretch of work.</summary>
    public void ResetPeakConcurrency()
    {
        lock (_gate)
        {
            _peakConcurrency = _inFlight;
        }
    }

    /// <summary>The app settings that point FuncTrace at this server, plus any <paramref name="overrides"/>.</summary>
    public Dictionary<string, string?> AppSettings(params (string Name, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["FuncTrace:Llm:Endpoint"] = Endpoint,
            ["FuncTrace:Llm:Model"] = Model,
            ["FuncTrace:Llm:ApiKey"] = ApiKey,
        };
        foreach (var (name, value) in overrides)
        {
            settings[name] = value;
        }
        return settings;
    }

    public void Enqueue(params FakeReply[] replies)
    {
        lock (_gate)
        {
            foreach (var reply in replies)
            {
                _replies.Enqueue(reply);
            }
        }
    }

    /// <summary>Forgets queued replies, recorded requests and the latency, for the next test.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _replies.Clear();
            _requests.Clear();
            Latency = TimeSpan.Zero;
            Fallback = _ => FakeReply.Text("ok");
            _peakConcurrency = 0;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var request = new FakeRequest(body.RootElement.Clone(), context.Request.Headers.Authorization.ToString());
        FakeReply reply;
        lock (_gate)
        {
            _requests.Add(request);
            reply = _replies.Count > 0 ? _replies.Dequeue() : Fallback(request);
            _peakConcurrency = Math.Max(_peakConcurrency, ++_inFlight);
        }
        try
        {
            await Task.Delay(Latency + reply.Delay, context.RequestAborted);
            if (reply.Until is { } until)
            {
                await until.WaitAsync(context.RequestAborted);
            }
            await FakeWireFormat.WriteAsync(context, request, reply);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its timeout); there is no one left to answer.
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
            }
        }
    }
}
