using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Api;

/// <summary>
/// The one error envelope of every <c>/api</c> route:
/// <c>{"error": {"code", "message", "details"}, "timestamp", "request_id"}</c>,
/// except the external trace face, whose clients expect their own (<see cref="ExternalTraceEnvelope"/>).
/// </summary>
public static class ApiError
{
    public static int StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.ValidationError => StatusCodes.Status400BadRequest,
        ErrorCode.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCode.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.Conflict => StatusCodes.Status409Conflict,
        ErrorCode.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCode.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorCode.RangeNotSatisfiable => StatusCodes.Status416RangeNotSatisfiable,
        ErrorCode.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCode.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.UpstreamError => StatusCodes.Status502BadGateway,
        ErrorCode.UpstreamTimeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ErrorCode CodeOf(int status) => status switch
    {
        400 => ErrorCode.ValidationError,
        401 => ErrorCode.Unauthorized,
        403 => ErrorCode.Forbidden,
        404 or 405 => ErrorCode.NotFound,
        409 => ErrorCode.Conflict,
        413 => ErrorCode.PayloadTooLarge,
        415 => ErrorCode.UnsupportedMediaType,
        416 => ErrorCode.RangeNotSatisfiable,
        429 => ErrorCode.RateLimited,
        503 => ErrorCode.ServiceUnavailable,
        _ => ErrorCode.InternalError,
    };

    /// <summary><c>ValidationError</c> becomes <c>VALIDATION_ERROR</c>.</summary>
    public static string Name(ErrorCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    public static object Envelope(HttpContext context, ErrorCode code, string message, IReadOnlyDictionary<string, object?>? details = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Dictionary<string, object?>
        {
            ["error"] = new Dictionary<string, object?>
            {
                ["code"] = Name(code),
                ["message"] = message,
                ["details"] = details ?? new Dictionary<string, object?>(),
            },
            ["timestamp"] = DateTimeOffset.UtcNow,
            ["request_id"] = context.TraceIdentifier,
        };
    }

    public static IResult Result(HttpContext context, ErrorCode code, string message, IReadOnlyDictionary<string, object?>? details = null) =>
        Results.Json(Envelope(context, code, message, details), statusCode: StatusOf(code));

    /// <summary>Writes the envelope; <paramref name="status"/> overrides the code's usual status (405 keeps 405).</summary>
    public static Task WriteAsync(HttpContext context, ErrorCode code, string message, IReadOnlyDictionary<string, object?>? details = null, int? status = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (ExternalTraceEnvelope.Applies(context))
        {
            return ExternalTraceEnvelope.WriteAsync(context, status ?? StatusOf(code), message);
        }
        context.Response.StatusCode = status ?? StatusOf(code);
        context.Response.Headers[RequestIdMiddleware.Header] = context.TraceIdentifier;
        return context.Response.WriteAsJsonAsync(Envelope(context, code, message, details));
    }
}
