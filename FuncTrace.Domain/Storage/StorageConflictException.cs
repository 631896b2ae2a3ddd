using Azure;

namespace FuncTrace.Domain.Storage;

/// <summary>
/// The write lost a race: 409 (the entity, blob or queue already exists) or 412 (the ETag no longer matches).
/// A typed error so callers can catch it instead of comparing error-code strings.
/// </summary>
public sealed class StorageConflictException(int status, string message, string? errorCode)
    : RequestFailedException(status, message, errorCode, null)
{
    /// <summary>True when the condition on <c>If-Match</c> failed (the row changed since it was read).</summary>
    public bool IsPreconditionFailed => Status == 412;
}
