using System.Text.Json;
using System.Xml.Linq;
using Azure;

namespace FuncTrace.Domain.Storage;

/// <summary>Turns a failed response into a <see cref="RequestFailedException"/> carrying the service's error code and message.</summary>
internal static class StorageErrors
{
    public static async ValueTask<RequestFailedException> CreateAsync(Response response, CancellationToken cancellationToken)
    {
        var code = response.Headers.TryGetValue("x-ms-error-code", out var headerCode) ? headerCode : null;
        string? detail = null;
        if (response.ContentStream is { } stream)
        {
            using var reader = new StreamReader(stream);
            var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            (var bodyCode, detail) = ParseBody(body);
            code ??= bodyCode;
        }

        var message = $"Storage request failed with {response.Status} ({response.ReasonPhrase})" +
                      (code is null ? "" : $", error code {code}") +
                      (string.IsNullOrWhiteSpace(detail) ? "." : $": {FirstLine(detail)}");
        return response.Status switch
        {
            409 or 412 => new StorageConflictException(response.Status, message, code),
            _ => new RequestFailedException(response.Status, message, code, null),
        };
    }

    private static (string? Code, string? Message) ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }
        try
        {
            if (body.TrimStart().StartsWith('<'))
            {
                var xml = XDocument.Parse(body);
                return (xml.Root?.Element("Code")?.Value, xml.Root?.Element("Message")?.Value);
            }
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("odata.error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                var message = error.TryGetProperty("message", out var m) && m.TryGetProperty("value", out var v) ? v.GetString() : null;
                return (code, message);
            }
        }
        catch (Exception ex) when (ex is JsonException or System.Xml.XmlException)
        {
            return (null, body);
        }
        return (null, body);
    }

    private static string FirstLine(string text)
    {
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline].TrimEnd('\r');
    }
}
