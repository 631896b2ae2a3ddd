namespace FuncTrace.Domain.Errors;

/// <summary>What went wrong, as the API reports it; the host maps each to an HTTP status.</summary>
public enum ErrorCode
{
    ValidationError,
    Unauthorized,
    Forbidden,
    NotFound,
    RequestTimeout,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    RangeNotSatisfiable,
    RateLimited,
    ServiceUnavailable,
    UpstreamError,
    UpstreamTimeout,
    NotImplemented,
    InternalError,
}
