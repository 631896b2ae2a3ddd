using System.Text.Json;
using System.Text.Json.Serialization;
using FuncTrace.Domain.Errors;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// Reads a JSON object body with the checks every endpoint needs, each failing as a clear 4xx:
/// content type (415), size (413), syntax, nesting and non-object bodies (400), wrong types (400 naming the field).
/// </summary>
public static class JsonBody
{
    /// <summary>
    /// The deepest a request body may nest, counting the body object itself. Enforced here, where data comes in;
    /// everything that writes stored data back out allows <see cref="MaxWriteDepth"/>, so whatever was accepted can
    /// always be served inside a response's own envelope of objects.
    /// </summary>
    public const int MaxBodyDepth = 64;

    public const int MaxWriteDepth = MaxBodyDepth + 64;

    /// <summary>The snake_case face (<c>conversation_id</c>), as the CLI clients send it.</summary>
    public static JsonSerializerOptions SnakeCase { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = MaxWriteDepth,
    };

    /// <summary>The camelCase face (<c>judgingMatrix</c>, <c>traceId</c>).</summary>
    public static JsonSerializerOptions CamelCase { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = MaxWriteDepth,
    };

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Deserialize<T>(await ReadObjectAsync(request), options);
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

    /// <summary>The body as a JSON object, after the content-type, size, syntax and depth checks.</summary>
    /// <param name="itemDepth">
    /// For a body that carries items (a batch's events, two levels down): how much deeper than <see cref="MaxBodyDepth"/>
    /// it may nest, so that each item may nest exactly as deep as a body of its own.
    /// </param>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, int itemDepth = 0)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HasJsonContentType())
        {
            throw new FuncTraceException(ErrorCode.UnsupportedMediaType, "Send the body as JSON with 'Content-Type: application/json'.");
        }
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<FuncTraceOptions>>().Value;
        var maxBytes = options.MaxRequestBodyBytes;
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        using var body = new BoundedBody(request.Body, maxBytes, TimeSpan.FromSeconds(options.RequestBodyIdleSeconds), TooLarge, request.HttpContext.RequestAborted);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.FillAsync(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (read < chunk.Length)
            {
                break;
            }
        }
        if (buffer.Length == 0)
        {
            throw FuncTraceException.Validation("The request body is empty; send a JSON object.");
        }
        return ParseObject(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), itemDepth);
    }

    /// <summary>Parses a JSON object with the body rules: at most <see cref="MaxBodyDepth"/> deep, valid Unicode throughout.</summary>
    public static JsonElement ParseObject(ReadOnlyMemory<byte> json, int itemDepth = 0)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxBodyDepth + itemDepth });
        }
        catch (JsonException ex) when (ex.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            throw FuncTraceException.Validation(itemDepth == 0
                ? $"The request body nests deeper than {MaxBodyDepth} levels."
                : $"An item of the request body nests deeper than {MaxBodyDepth} levels.");
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

    /// <summary>Stored JSON read back: allows <see cref="MaxWriteDepth"/>, so nothing accepted can fail here.</summary>
    public static JsonElement ParseStored(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxWriteDepth });
        return document.RootElement.Clone();
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
