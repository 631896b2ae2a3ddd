using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// Stands between the app and one of Azurite's services (tables, or queues) and passes everything through, except that it can lose the answer
/// to a request: the request reaches storage and is applied, then the connection is reset instead of answered — what a
/// timeout or a dropped connection does in Azure. The storage client then retries the request it thinks failed.
/// </summary>
public sealed class AnswerLosingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly Lock _gate = new();
    private Func<HttpRequest, string, bool>? _lose;
    private int _toLose;

    private AnswerLosingProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });
    }

    /// <summary>How many answers were lost so far.</summary>
    public int Lost { get; private set; }

    /// <summary>A connection string for the test Azurite whose endpoint of this service is this proxy.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    /// <param name="endpoint">The connection string's setting to stand in for: <c>TableEndpoint</c> or <c>QueueEndpoint</c>.</param>
    public static async Task<AnswerLosingProxy> StartAsync(string endpoint = "TableEndpoint")
    {
        var original = TestStorage.ConnectionString;
        var target = original.Split(';').Single(p => p.StartsWith(endpoint + "=", StringComparison.Ordinal))[(endpoint.Length + 1)..];
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new AnswerLosingProxy(app, new Uri(target));
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var proxied = new UriBuilder(proxy._target) { Host = address.Host, Port = address.Port }.Uri.ToString().TrimEnd('/');
        proxy.ConnectionString = original.Replace(endpoint + "=" + target, endpoint + "=" + proxied, StringComparison.Ordinal);
        return proxy;
    }

    /// <summary>Loses the answers of the next <paramref name="count"/> requests that <paramref name="match"/> (the request and its body).</summary>
    public void LoseAnswers(int count, Func<HttpRequest, string, bool> match)
    {
        lock (_gate)
        {
            (_toLose, _lose) = (count, match);
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        bool lose;
        lock (_gate)
        {
            lose = _toLose > 0 && _lose is not null && _lose(request, text);
            if (lose)
            {
                _toLose--;
            }
        }
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.Path.Value + request.QueryString.Value))
        {
            Content = body.Length == 0 && request.ContentLength is null ? null : new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        using var answer = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseContentRead);
        if (lose)
        {
            lock (_gate)
            {
                Lost++;
            }
            context.Abort();
            return;
        }
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await context.Response.Body.WriteAsync(await answer.Content.ReadAsByteArrayAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
