using FuncTrace.Domain.Errors;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// The one error envelope of every <c>/api</c> route:
/// <c>{"error": {"code", "message", "details"}, "timestamp", "request_id"}</c>,
/// except the external trace face, whose clients expect <c>{"success": false, "error"}</c>.
/// </summary>
public static class ApiError
{
    public sealed record Body(string Code, string Message, IReadOnlyDictionary<string, object?> Details);

    public sealed record Envelope(Body Error, DateTimeOffset Timestamp, string RequestId);

    /// <summary>The external trace face's failure shape, kept exactly as its clients read it.</summary>
    public sealed record ExternalFailure(bool Success, string Error);

    public static int StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.ValidationError => StatusCodes.Status400BadRequest,
        ErrorCode.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCode.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.RequestTimeout => StatusCodes.Status408RequestTimeout,
        ErrorCode.Conflict => StatusCodes.Status409Conflict,
        ErrorCode.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorCode.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCode.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorCode.RangeNotSatisfiable => StatusCodes.Status416RangeNotSatisfiable,
        ErrorCode.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCode.NotImplemented => StatusCodes.Status501NotImplemented,
        ErrorCode.UpstreamError => StatusCodes.Status502BadGateway,
        ErrorCode.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCode.UpstreamTimeout => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ErrorCode CodeOf(int status) => status switch
    {
        400 => ErrorCode.ValidationError,
        401 => ErrorCode.Unauthorized,
        403 => ErrorCode.Forbidden,
        404 or 405 => ErrorCode.NotFound,
        408 => ErrorCode.RequestTimeout,
        409 => ErrorCode.Conflict,
        412 => ErrorCode.PreconditionFailed,
        413 => ErrorCode.PayloadTooLarge,
        415 => ErrorCode.UnsupportedMediaType,
        416 => ErrorCode.RangeNotSatisfiable,
        429 => ErrorCode.RateLimited,
        501 => ErrorCode.NotImplemented,
        503 => ErrorCode.ServiceUnavailable,
        _ => ErrorCode.InternalError,
    };

    /// <summary><c>ValidationError</c> becomes <c>VALIDATION_ERROR</c>.</summary>
    public static string Name(ErrorCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    /// <summary>The failure as this request's face shows it; <paramref name="status"/> overrides the code's usual one (405 stays 405).</summary>
    public static IResult Result(HttpContext context, ErrorCode code, string message, IReadOnlyDictionary<string, object?>? details = null, int? status = null, bool externalFace = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        var statusCode = status ?? StatusOf(code);
        if (externalFace)
        {
            return Results.Json(new ExternalFailure(false, message), JsonBody.CamelCase, statusCode: statusCode);
        }
        var envelope = new Envelope(new Body(Name(code), message, details ?? new Dictionary<string, object?>()), DateTimeOffset.UtcNow, context.TraceIdentifier);
        return Results.Json(envelope, JsonBody.SnakeCase, statusCode: statusCode);
    }
}
