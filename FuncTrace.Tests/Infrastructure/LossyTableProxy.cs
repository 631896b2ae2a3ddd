using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// A table endpoint in front of the real Azurite that passes every request through, except that it loses the answer of
/// the requests <see cref="LoseAnswerOf"/> picks: it forwards them (so storage applies them) and then drops the
/// connection instead of answering, as a network fault would. The storage client then retries what was already done.
/// </summary>
public sealed class LossyTableProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly Uri _target;
    private int _lost;

    private LossyTableProxy(WebApplication app, Uri target)
    {
        _app = app;
        _target = target;
    }

    /// <summary>Chooses the requests whose answer is lost (method, path with query, body); none by default.</summary>
    public Func<string, string, string, bool> LoseAnswerOf { get; set; } = (_, _, _) => false;

    /// <summary>How many answers were lost.</summary>
    public int Lost => Volatile.Read(ref _lost);

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>A proxy for the table endpoint of <paramref name="connectionString"/> (Azurite's, with its account in the path).</summary>
    public static async Task<LossyTableProxy> StartAsync(string connectionString)
    {
        var target = new Uri(Part(connectionString, "TableEndpoint"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var proxy = new LossyTableProxy(app, target);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy.Address = new Uri(app.Urls.Single() + target.AbsolutePath.TrimEnd('/'));
        return proxy;
    }

    /// <summary>The connection string with its table endpoint moved to this proxy.</summary>
    public string ConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return string.Join(';', connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.StartsWith("TableEndpoint=", StringComparison.OrdinalIgnoreCase) ? "TableEndpoint=" + Address : part)) + ";";
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var pathAndQuery = context.Request.Path.Value + context.Request.QueryString.Value;
        // Only the port differs: the path (with its account) and the signed headers go through unchanged.
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_target.GetLeftPart(UriPartial.Authority) + pathAndQuery));
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (body.Length > 0 || context.Request.ContentLength is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        using var response = await _upstream.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();
        if (LoseAnswerOf(context.Request.Method, pathAndQuery, System.Text.Encoding.UTF8.GetString(body.ToArray())))
        {
            Interlocked.Increment(ref _lost);
            context.Abort();
            return;
        }
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }
        await context.Response.Body.WriteAsync(answer);
    }

    private static string Part(string connectionString, string name) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .First(p => p[0].Equals(name, StringComparison.OrdinalIgnoreCase))[1];

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.DisposeAsync();
    }
}
