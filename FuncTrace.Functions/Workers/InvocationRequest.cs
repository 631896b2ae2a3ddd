using System.Globalization;
using System.Text.Json;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Queues;

namespace FuncTrace.Functions.Workers;

/// <summary>
/// Reads the Functions host's custom-handler invocation of a queue trigger:
/// <c>{"Data": {"message": ...}, "Metadata": {"Id", "DequeueCount", "InsertionTime", ...}}</c>. Read defensively,
/// because the host forwards values as it holds them: a message that was JSON arrives as that JSON (its raw text is
/// used), a plain-text message as a string that may itself be JSON-quoted, and metadata as numbers or strings,
/// quoted or not. (Plain text that really is a quoted string therefore loses its quotes.)
/// </summary>
public static class InvocationRequest
{
    public static QueueWorkItem Parse(JsonElement body)
    {
        var data = Property(body, "Data", "Data");
        var message = Property(data, QueueHandlers.BindingName, "Data." + QueueHandlers.BindingName);
        var text = message.ValueKind switch
        {
            JsonValueKind.String => Unquote(message.GetString()!),
            JsonValueKind.Null => throw Invalid("Data." + QueueHandlers.BindingName),
            _ => message.GetRawText(),
        };

        var metadata = Property(body, "Metadata", "Metadata");
        var id = Unquote(Scalar(metadata, "Id"));
        if (id.Length == 0)
        {
            throw Invalid("Metadata.Id");
        }
        if (!long.TryParse(Unquote(Scalar(metadata, "DequeueCount")), NumberStyles.None, CultureInfo.InvariantCulture, out var dequeueCount) || dequeueCount < 1)
        {
            throw Invalid("Metadata.DequeueCount");
        }
        if (!DateTimeOffset.TryParse(Unquote(Scalar(metadata, "InsertionTime")), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var insertedOn))
        {
            throw Invalid("Metadata.InsertionTime");
        }
        return new QueueWorkItem(id, text, dequeueCount, insertedOn);
    }

    private static JsonElement Property(JsonElement parent, string name, string path) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : throw Invalid(path);

    private static string Scalar(JsonElement metadata, string name)
    {
        var value = Property(metadata, name, "Metadata." + name);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Invalid("Metadata." + name),
        };
    }

    /// <summary><c>"\"abc\""</c> becomes <c>abc</c>; anything that is not one JSON string stays as it is.</summary>
    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return value;
        }
        try
        {
            return JsonSerializer.Deserialize<string>(value) ?? value;
        }
        catch (JsonException)
        {
            return value;
        }
    }

    private static FuncTraceException Invalid(string path) =>
        FuncTraceException.Validation($"The invocation has no usable '{path}'.", path);
}
