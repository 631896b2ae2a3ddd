using Microsoft.AspNetCore.Http.Features;

namespace FuncTrace.Functions.Api;

/// <summary>
/// Writes a Server-Sent Events stream (<c>text/event-stream</c>), each message flushed at once so it reaches the
/// client through proxies: <c>id:</c>, <c>event:</c> and <c>data:</c> fields, and comment lines for heartbeats.
/// </summary>
public static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    /// <summary>Sends the headers now, so the client knows the stream is open before the first message.</summary>
    public static async Task StartAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>One message; <paramref name="data"/> may span lines (each becomes its own <c>data:</c> line).</summary>
    public static Task WriteEventAsync(HttpResponse response, string? id, string? eventName, string data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        var text = new System.Text.StringBuilder();
        if (id is not null)
        {
            text.Append("id: ").Append(id).Append('\n');
        }
        if (eventName is not null)
        {
            text.Append("event: ").Append(eventName).Append('\n');
        }
        foreach (var line in data.Split('\n'))
        {
            text.Append("data: ").Append(line.TrimEnd('\r')).Append('\n');
        }
        return WriteAsync(response, text.Append('\n').ToString(), cancellationToken);
    }

    /// <summary>A comment line, ignored by clients: keeps idle connections open through proxies.</summary>
    public static Task WriteCommentAsync(HttpResponse response, string comment, CancellationToken cancellationToken) =>
        WriteAsync(response, ": " + comment + "\n\n", cancellationToken);

    /// <summary>The id of the last message the client saw (<c>Last-Event-ID</c> header, or <c>lastEventId</c> in the query for clients that cannot set headers).</summary>
    public static string? LastEventId(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers["Last-Event-ID"].ToString();
        return string.IsNullOrWhiteSpace(header) ? QueryParameters.Optional(request, "lastEventId") : header.Trim();
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
