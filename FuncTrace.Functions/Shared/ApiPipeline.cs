using Azure;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Keys;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Shared;

/// <summary>
/// What runs around every HTTP function, in the isolated worker (<see cref="ApiPipelineMiddleware"/>) and in the local
/// host alike: the request id, CORS, the external face's on/off switch, rate limits, the API key and the function's
/// <see cref="AccessAttribute"/>, and the mapping of every failure to the face's error shape. Nothing else decides
/// these things, so both hosts answer the same.
/// </summary>
public sealed class ApiPipeline(
    ApiKeyService keys,
    StreamTokenService streamTokens,
    Cors cors,
    RateLimits rateLimits,
    IOptions<ExternalTraceSwitch> externalTrace,
    ILogger<ApiPipeline> logger)
{
    public const string ExternalDisabledMessage = "External trace API is not enabled";

    /// <param name="invoke">Runs the function; its result (null when it wrote the response itself, as SSE does).</param>
    /// <returns>What to execute on the response, or null when nothing more should be written.</returns>
    public async Task<IResult?> RunAsync(HttpContext context, HttpFunction function, Func<Task<IResult?>> invoke)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(invoke);
        RequestIds.Assign(context);
        if (cors.Apply(context) is { } preflight)
        {
            return preflight;
        }
        // Bodies are bounded by each function (JSON and artifact limits), not by the server's default 30 MB.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }
        try
        {
            if (function.ExternalFace && !externalTrace.Value.Enabled)
            {
                return ApiError.Result(context, ErrorCode.ServiceUnavailable, ExternalDisabledMessage, externalFace: true);
            }
            await AuthorizeAsync(context, function);
            return WithEnvelope(context, function, await invoke());
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested)
        {
            logger.LogDebug(ex, "{Function}: the client went away", function.Name);
            return null;
        }
        catch (Exception ex) when (context.Response.HasStarted)
        {
            logger.LogError(ex, "{Function} failed after its response had started", function.Name);
            return null;
        }
        catch (Exception ex)
        {
            var (code, message, details, status) = Classify(ex);
            if (code == ErrorCode.InternalError)
            {
                logger.LogError(ex, "Unhandled error in {Function} on {Method} {Path}", function.Name, context.Request.Method, context.Request.Path);
            }
            if (code == ErrorCode.RateLimited && ex is FuncTraceException limited)
            {
                context.Response.Headers.RetryAfter = RateLimits.RetryAfterHeader(limited);
            }
            return ApiError.Result(context, code, message, details, status, function.ExternalFace);
        }
    }

    private async Task AuthorizeAsync(HttpContext context, HttpFunction function)
    {
        var presented = ApiKeyService.PresentedKey(context.Request);
        if (function.Access == Access.Anonymous)
        {
            rateLimits.CheckClient(context);
            return;
        }
        var streamToken = function.AcceptsStreamToken && presented is null ? QueryParameters.Optional(context.Request, StreamTokenService.QueryParameter) : null;
        if (presented is null && streamToken is null)
        {
            rateLimits.CheckClient(context);
            throw new FuncTraceException(ErrorCode.Unauthorized, "An API key is required: send it as 'X-API-Key: <key>' or 'Authorization: Bearer <key>'.");
        }
        var caller = streamToken is null
            ? await keys.AuthenticateAsync(presented!, context.RequestAborted)
            : await streamTokens.AuthenticateAsync(streamToken, context.Request.Path.Value ?? string.Empty, context.RequestAborted);
        if (caller is null)
        {
            rateLimits.CheckClient(context);
            throw new FuncTraceException(ErrorCode.Unauthorized, streamToken is null
                ? "The API key is unknown or has been revoked."
                : "The stream token is not good for this stream: it has expired, belongs to another path, or its key was revoked. Ask for a new one with POST /api/stream-tokens.");
        }
        rateLimits.CheckKey(caller.KeyId);
        var allowed = function.Access switch
        {
            Access.AnyRole => true,
            Access.Ingest => caller.Has(ApiRoles.Ingest),
            Access.Review => caller.Has(ApiRoles.Review),
            Access.Admin => caller.Has(ApiRoles.Admin),
            _ => false,
        };
        if (!allowed)
        {
            throw FuncTraceException.Forbidden($"This API key's roles ({string.Join(", ", caller.Roles)}) do not allow this request; it needs '{function.Access.ToString().ToLowerInvariant()}'.");
        }
        context.Features.Set(caller);
    }

    /// <summary>
    /// A handler's bodiless 4xx (<c>TypedResults.NotFound()</c> in a <c>Results&lt;Ok&lt;T&gt;, NotFound&gt;</c>) gets the face's
    /// error shape like every other failure, so the signature can name the answer and clients still read one envelope.
    /// </summary>
    private static IResult? WithEnvelope(HttpContext context, HttpFunction function, IResult? result)
    {
        var inner = result;
        while (inner is INestedHttpResult nested)
        {
            inner = nested.Result;
        }
        if (inner is IStatusCodeHttpResult { StatusCode: >= 400 and < 500 and var status } && inner is not IValueHttpResult)
        {
            var message = status == StatusCodes.Status404NotFound
                ? $"Nothing was found at {context.Request.Path}."
                : $"The request was refused: {ReasonPhrases.GetReasonPhrase(status)}.";
            return ApiError.Result(context, ApiError.CodeOf(status), message, status: status, externalFace: function.ExternalFace);
        }
        return result;
    }

    /// <summary>
    /// Status 0: no answer at all (connection refused or reset); storage's own 5xx and throttling are transient too. The
    /// SDK's last retry can also surface the bare socket or HTTP failure unwrapped; only outgoing calls raise those.
    /// </summary>
    private static bool IsStorageUnavailable(Exception ex) =>
        ex is RequestFailedException { Status: 0 or 408 or 429 or >= 500 } or System.Net.Sockets.SocketException or HttpRequestException
        || (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate && aggregate.InnerExceptions.All(IsStorageUnavailable))
        || (ex is OperationCanceledException or TimeoutException && ex.InnerException is not null);

    private static (ErrorCode Code, string Message, IReadOnlyDictionary<string, object?>? Details, int? Status) Classify(Exception ex) => ex switch
    {
        FuncTraceException fte => (fte.Code, fte.Message, fte.Details, null),
        BadHttpRequestException { StatusCode: 413 } => (ErrorCode.PayloadTooLarge, "The request body is larger than this endpoint accepts.", null, null),
        BadHttpRequestException { StatusCode: 408 } => (ErrorCode.RequestTimeout, "The request body stopped arriving before it was complete; nothing was stored.", null, null),
        BadHttpRequestException bad => (ApiError.CodeOf(bad.StatusCode), "The request could not be read: " + bad.Message, null, bad.StatusCode),
        _ when IsStorageUnavailable(ex) => (ErrorCode.ServiceUnavailable, "Storage is busy or unreachable; retry shortly.", null, null),
        _ => (ErrorCode.InternalError, "An unexpected error occurred; the request id identifies it in the logs.", null, null),
    };
}
