namespace FuncTrace.Domain.Errors;

/// <summary>
/// An error a caller can act on. Services throw it; the host turns it into the error envelope
/// with the status that <see cref="Code"/> maps to.
/// </summary>
public class FuncTraceException(ErrorCode code, string message, IReadOnlyDictionary<string, object?>? details = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorCode Code { get; } = code;
    public IReadOnlyDictionary<string, object?>? Details { get; } = details;

    public static FuncTraceException Validation(string message, string? field = null) =>
        new(ErrorCode.ValidationError, message, field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    public static FuncTraceException NotFound(string message) => new(ErrorCode.NotFound, message);

    public static FuncTraceException Conflict(string message) => new(ErrorCode.Conflict, message);

    public static FuncTraceException Forbidden(string message) => new(ErrorCode.Forbidden, message);
}
