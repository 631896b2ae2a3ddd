namespace FuncTrace.Functions.Shared;

/// <summary>What an HTTP function lets through; the pipeline checks it before the function runs.</summary>
public enum Access
{
    /// <summary>No key needed (health, the reviewer page's files); rate-limited per client IP.</summary>
    Anonymous,

    /// <summary>Any key of a tenant: reading events, feedback, usage.</summary>
    AnyRole,

    Ingest,
    Review,

    /// <summary>A tenant admin key or the bootstrap admin key.</summary>
    Admin,
}

/// <summary>Every HTTP function says who may call it; the catalog refuses one that does not.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AccessAttribute(Access access) : Attribute
{
    public Access Access { get; } = access;
}

/// <summary>
/// An event stream (GET) that also opens with <c>?stream_token=</c> instead of a key header, for browsers' EventSource;
/// the token stands for the key that asked for it (<c>POST api/stream-tokens</c>) and the function's access still applies.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StreamTokenAttribute : Attribute;

/// <summary>
/// Marks the external trace face: its failures use <c>{"success": false, "error"}</c> instead of the envelope, and it
/// answers 503 while <c>FuncTrace__ExternalTrace__Enabled</c> is false.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ExternalFaceAttribute : Attribute;
