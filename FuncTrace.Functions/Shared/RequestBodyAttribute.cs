namespace FuncTrace.Functions.Shared;

/// <summary>
/// The body an HTTP function reads (its handler reads it with <see cref="JsonBody.ReadAsync{T}"/> inside, where the OpenAPI
/// document cannot see it). Only the document and the tests use this; the function itself is unaffected.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequestBodyAttribute(Type type) : Attribute
{
    /// <summary>The record the JSON binds to; <see cref="Stream"/> for a body taken as raw bytes.</summary>
    public Type Type { get; } = type;

    public string ContentType { get; init; } = "application/json";

    /// <summary>A valid body, as JSON: shown in the document, and where the bad-input sweep starts from.</summary>
    public string? Example { get; init; }
}
