using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace FuncTrace.Functions.Api;

/// <summary>
/// A Server-Sent Events response: one <c>id:</c> and one JSON <c>data:</c> line per event, flushed at once,
/// with headers that stop proxies (nginx, the Functions host) from buffering the stream.
/// </summary>
public sealed class EventStream
{
    public const string MediaType = "text/event-stream";

    private readonly HttpResponse _response;
    private long _lastId;

    private EventStream(HttpResponse response) => _response = response;

    /// <summary>Did the caller ask for a stream (<c>Accept: text/event-stream</c>)?</summary>
    public static bool IsRequested(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase));
    }

    public static EventStream Start(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new EventStream(response);
    }

    /// <summary>Writes <paramref name="data"/> as JSON (which never holds a raw newline, so one line suffices).</summary>
    public async Task WriteAsync(object data, CancellationToken cancellationToken)
    {
        var id = ++_lastId;
        var json = JsonSerializer.Serialize(data, JsonBody.SnakeCase);
        await _response.WriteAsync($"id: {id}\ndata: {json}\n\n", cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
