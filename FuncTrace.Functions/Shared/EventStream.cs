using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// A Server-Sent Events response: one <c>id:</c> and one JSON <c>data:</c> line per event, flushed at once,
/// with headers that stop proxies (nginx, the Functions host) from buffering the stream.
/// </summary>
public sealed class EventStream
{
    public const string MediaType = "text/event-stream";

    private readonly HttpResponse _response;
    private readonly JsonSerializerOptions _json;
    private long _lastId;

    private EventStream(HttpResponse response, JsonSerializerOptions json)
    {
        _response = response;
        _json = json;
    }

    /// <summary>Did the caller ask for a stream (<c>Accept: text/event-stream</c>)?</summary>
    public static bool IsRequested(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The id of the last event the client saw (<c>Last-Event-ID</c>, or <c>?lastEventId=</c> for clients that cannot set headers).</summary>
    public static string? LastEventId(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers["Last-Event-ID"].ToString();
        return string.IsNullOrWhiteSpace(header) ? QueryParameters.Optional(request, "lastEventId") : header.Trim();
    }

    /// <summary>Starts the response; event data is written with <paramref name="json"/> (snake_case unless given).</summary>
    public static EventStream Start(HttpContext context, JsonSerializerOptions? json = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new EventStream(response, json ?? JsonBody.SnakeCase);
    }

    /// <summary>Writes <paramref name="data"/> as JSON with the next number as its id.</summary>
    public Task WriteAsync(object data, CancellationToken cancellationToken) =>
        WriteAsync((++_lastId).ToString(System.Globalization.CultureInfo.InvariantCulture), data, cancellationToken);

    /// <summary>Writes <paramref name="data"/> as JSON (which never holds a raw newline, so one line suffices) under <paramref name="id"/>.</summary>
    public async Task WriteAsync(string id, object data, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(data, _json);
        await _response.WriteAsync($"id: {id}\ndata: {json}\n\n", cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A comment line: ignored by clients, it keeps idle connections (and proxies) from timing out.</summary>
    public async Task CommentAsync(string text, CancellationToken cancellationToken)
    {
        await _response.WriteAsync($": {text}\n\n", cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
