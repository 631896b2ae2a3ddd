using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Keys;

/// <summary>
/// Tokens for clients that cannot send a key header on an event stream (a browser's EventSource).
/// <code>
/// POST api/stream-tokens   CreateStreamToken   {"path"} → 201 {token, url, expires_at}: url opens that one stream for 10 minutes
/// </code>
/// </summary>
public sealed class StreamTokenFunctions(StreamTokenService tokens)
{
    private const string StreamTokens = "api/stream-tokens";

    [Function("CreateStreamToken")]
    [Access(Access.AnyRole)]
    [RequestBody(typeof(StreamTokenRequest), Example = """{"path": "/api/sessions/nightly/events/stream"}""")]
    public async Task<Created<StreamGrant>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = StreamTokens)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<StreamTokenRequest>(request, JsonBody.SnakeCase);
        var grant = await tokens.IssueAsync(request.Caller(), body.Path, request.HttpContext.RequestAborted);
        return TypedResults.Created(grant.Url, grant);
    }
}

public sealed record StreamTokenRequest(string? Path);
