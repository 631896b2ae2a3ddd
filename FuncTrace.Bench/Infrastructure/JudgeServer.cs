using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>
/// A minimal OpenAI-compatible judge on a free loopback port: every <c>POST /v1/chat/completions</c> waits
/// <see cref="Latency"/>, then answers a fixed score in the chat completion wire format. It counts answers and
/// the most it was answering at once, which shows the app's real LLM concurrency.
/// </summary>
public sealed class JudgeServer : IAsyncDisposable
{
    public const string Model = "bench-judge";
    public const string ApiKey = "bench-key";

    private const string Answer = """{"score": 7, "reasoning": "Fixed answer of the benchmark judge."}""";
    private readonly WebApplication _app;
    private int _inFlight;
    private int _peak;

    private JudgeServer(WebApplication app, TimeSpan latency)
    {
        _app = app;
        Latency = latency;
    }

    public static async Task<JudgeServer> StartAsync(TimeSpan latency)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var server = new JudgeServer(app, latency);
        app.MapPost("/v1/chat/completions", server.AnswerAsync);
        await app.StartAsync();
        return server;
    }

    public TimeSpan Latency { get; }

    /// <summary>The base URL the app's <c>FuncTrace__Llm__Endpoint</c> is set to.</summary>
    public string Endpoint => _app.Urls.Single() + "/v1/";

    public int Peak => Volatile.Read(ref _peak);

    public void ResetPeak() => Volatile.Write(ref _peak, 0);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task AnswerAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _peak, now);
        try
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await Task.Delay(Latency, context.RequestAborted);
            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-bench",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = Model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = Answer }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 50, completion_tokens = 20, total_tokens = 70 },
            }, context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var before && before != seen)
        {
            seen = before;
        }
    }
}
