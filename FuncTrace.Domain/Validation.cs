using FuncTrace.Domain.Errors;

namespace FuncTrace.Domain;

/// <summary>Small checks shared by the services; each failure names the field.</summary>
public static class Validation
{
    public static string Required(string? value, string field, int maxLength = 256)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw FuncTraceException.Validation($"'{field}' is required.", field);
        }
        if (value.Length > maxLength)
        {
            throw FuncTraceException.Validation($"'{field}' is longer than {maxLength} characters.", field);
        }
        return value;
    }

    /// <summary>
    /// A value that becomes part of a table key or a URL segment: required, bounded, and free of the characters
    /// Table Storage refuses in keys (<c>/ \ # ?</c> and control characters).
    /// </summary>
    public static string KeySafe(string? value, string field, int maxLength = 256)
    {
        Required(value, field, maxLength);
        if (value!.AsSpan().IndexOfAny("/\\#?") >= 0)
        {
            throw FuncTraceException.Validation($"'{field}' may not contain / \\ # or ?.", field);
        }
        if (value!.Any(char.IsControl))
        {
            throw FuncTraceException.Validation($"'{field}' may not contain control characters.", field);
        }
        return value!;
    }
}
