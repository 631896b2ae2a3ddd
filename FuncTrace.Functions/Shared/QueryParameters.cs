using System.Globalization;
using System.Text.RegularExpressions;
using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Shared;

/// <summary>Query-string and timestamp parsing that fails with a 400 naming the parameter.</summary>
public static partial class QueryParameters
{
    public static string? Optional(HttpRequest request, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Query[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The most items one page of any list holds.</summary>
    public const int MaxLimit = 1000;

    public static int Limit(HttpRequest request, int defaultLimit = 50, int maxLimit = MaxLimit)
    {
        var text = Optional(request, "limit");
        if (text is null)
        {
            return defaultLimit;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > maxLimit)
        {
            throw FuncTraceException.Validation($"'limit' must be an integer between 1 and {maxLimit}.", "limit");
        }
        return limit;
    }

    /// <summary>A non-negative integer parameter, or <paramref name="defaultValue"/> when absent.</summary>
    public static int Integer(HttpRequest request, string name, int defaultValue)
    {
        var text = Optional(request, name);
        if (text is null)
        {
            return defaultValue;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw FuncTraceException.Validation($"'{name}' must be a non-negative integer.", name);
    }

    /// <summary><c>true</c> or <c>false</c>, or <paramref name="defaultValue"/> when absent.</summary>
    public static bool Boolean(HttpRequest request, string name, bool defaultValue) => Optional(request, name) switch
    {
        null => defaultValue,
        "true" => true,
        "false" => false,
        _ => throw FuncTraceException.Validation($"'{name}' must be 'true' or 'false'.", name),
    };

    public static DateTimeOffset? Time(HttpRequest request, string name)
    {
        var text = Optional(request, name);
        return text is null ? null : Iso8601(text, name);
    }

    public static bool Descending(HttpRequest request) => Optional(request, "order") switch
    {
        null or "asc" => false,
        "desc" => true,
        _ => throw FuncTraceException.Validation("'order' must be 'asc' or 'desc'.", "order"),
    };

    /// <summary>An ISO-8601 date or date-time; without an offset it is taken as UTC.</summary>
    public static DateTimeOffset Iso8601(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsoPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }
        throw FuncTraceException.Validation($"'{field}' must be an ISO-8601 timestamp such as 2025-01-31T12:00:00Z.", field);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$")]
    private static partial Regex IsoPattern();
}
