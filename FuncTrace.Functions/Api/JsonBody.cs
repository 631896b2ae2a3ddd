using System.Text.Json;
using System.Text.Json.Serialization;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Api;

/// <summary>
/// Reads a JSON object body with the checks every endpoint needs, each failing as a clear 4xx:
/// content type (415), size (413), syntax and non-object bodies (400), wrong types (400 naming the field).
/// </summary>
public static class JsonBody
{
    /// <summary>The snake_case face (<c>conversation_id</c>), as the CLI clients send it.</summary>
    public static JsonSerializerOptions SnakeCase { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The camelCase face (<c>judgingMatrix</c>, <c>traceId</c>).</summary>
    public static JsonSerializerOptions CamelCase { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static async Task<T> ReadAsync<T>(HttpContext context, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Deserialize<T>(await ReadObjectAsync(context), options);
    }

    /// <summary>Binds a JSON object to <typeparamref name="T"/>; a value of the wrong type is a 400 naming its field.</summary>
    public static T Deserialize<T>(JsonElement element, JsonSerializerOptions options)
    {
        try
        {
            return element.Deserialize<T>(options)
                ?? throw FuncTraceException.Validation("The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            var field = FieldName(ex.Path);
            throw new FuncTraceException(
                ErrorCode.ValidationError,
                field is null ? "The request body does not have the expected shape." : $"'{field}' has the wrong type.",
                new Dictionary<string, object?> { ["field"] = field, ["path"] = ex.Path });
        }
    }

    /// <summary>The body as a JSON object, after the content-type, size and syntax checks.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            throw new FuncTraceException(ErrorCode.UnsupportedMediaType, "Send the body as JSON with 'Content-Type: application/json'.");
        }
        var maxBytes = context.RequestServices.GetRequiredService<IOptions<FuncTraceOptions>>().Value.MaxRequestBodyBytes;
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            throw FuncTraceException.Validation("The request body is empty; send a JSON object.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        }
        catch (JsonException ex)
        {
            throw new FuncTraceException(
                ErrorCode.ValidationError,
                "The request body is not valid JSON.",
                new Dictionary<string, object?> { ["line"] = ex.LineNumber + 1, ["position"] = ex.BytePositionInLine });
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw FuncTraceException.Validation($"The request body must be a JSON object, not {Article(document.RootElement.ValueKind)}.");
            }
            RequireText(document.RootElement, "$");
            return document.RootElement.Clone();
        }
    }

    /// <summary>
    /// The parser accepts a lone surrogate escape (<c>"\uD800"</c>) or invalid UTF-8 and fails only when the string is read,
    /// wherever that happens; reading every name and string here makes such a body a 400 naming where it is.
    /// </summary>
    private static void RequireText(JsonElement element, string path)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        RequireText(property.Value, path + "." + property.Name);
                    }
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        RequireText(item, $"{path}[{index++}]");
                    }
                    break;
                case JsonValueKind.String:
                    element.GetString();
                    break;
            }
        }
        catch (InvalidOperationException)
        {
            throw new FuncTraceException(
                ErrorCode.ValidationError,
                "The request body holds text that is not valid Unicode (a lone surrogate escape or invalid UTF-8).",
                new Dictionary<string, object?> { ["path"] = path });
        }
    }

    private static FuncTraceException TooLarge(long maxBytes) =>
        new(ErrorCode.PayloadTooLarge, $"The request body is larger than {maxBytes} bytes.", new Dictionary<string, object?> { ["max_bytes"] = maxBytes });

    private static string? FieldName(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? null : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
