using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage.Tables;

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

    /// <summary>A value used inside a table key: required, short, and free of characters keys cannot hold.</summary>
    public static string KeySafe(string? value, string field, int maxLength = 256)
    {
        Required(value, field, maxLength);
        if (!TableKeys.IsValid(value, out var reason))
        {
            throw FuncTraceException.Validation($"'{field}' {reason}.", field);
        }
        return value!;
    }
}
