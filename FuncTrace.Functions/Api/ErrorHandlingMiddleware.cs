using System.Text.Json;
using Azure;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Functions.Api;

/// <summary>
/// Turns every failure into the envelope: a <see cref="FuncTraceException"/> keeps its code; unreadable JSON
/// and oversized bodies are the caller's mistake (4xx); storage that does not answer or fails on its side is a 503
/// (retry); anything else is logged and answered 500 without internals. Empty 4xx/5xx answers (unknown route, wrong method) get the envelope too.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var (code, message, details) = Classify(ex);
            if (code == ErrorCode.InternalError)
            {
                logger.LogError(ex, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            }
            context.Response.Clear();
            await ApiError.WriteAsync(context, code, message, details);
            return;
        }

        if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null or 0 }
            && string.IsNullOrEmpty(context.Response.ContentType))
        {
            var status = context.Response.StatusCode;
            var code = ApiError.CodeOf(status);
            var message = status switch
            {
                404 => $"No route matches {context.Request.Method} {context.Request.Path}.",
                405 => $"{context.Request.Method} is not allowed on {context.Request.Path}.",
                _ => $"The request failed with status {status}.",
            };
            await ApiError.WriteAsync(context, code, message, status: status);
        }
    }

    /// <summary>Status 0: no answer at all (connection refused or reset); storage's own 5xx and throttling are transient too.</summary>
    private static bool IsStorageUnavailable(Exception ex) => ex is RequestFailedException { Status: 0 or 429 or >= 500 };

    private static (ErrorCode Code, string Message, IReadOnlyDictionary<string, object?>? Details) Classify(Exception ex) => ex switch
    {
        FuncTraceException fte => (fte.Code, fte.Message, fte.Details),
        JsonException json => (ErrorCode.ValidationError, "The request body is not valid JSON.", json.Path is null ? null : new Dictionary<string, object?> { ["path"] = json.Path }),
        BadHttpRequestException { StatusCode: 413 } => (ErrorCode.PayloadTooLarge, "The request body is larger than this endpoint accepts.", null),
        BadHttpRequestException bad => (ApiError.CodeOf(bad.StatusCode), bad.Message, null),
        // Optimistic-concurrency retries ran out: other writers kept changing the same rows. Nothing was written.
        StorageConflictException or TableTransactionFailedException { Status: 409 or 412 }
            => (ErrorCode.ServiceUnavailable, "The data changed under this request too often; nothing was written, retry shortly.", null),
        // The storage pipeline's retries, all spent, end in an AggregateException of each attempt's failure.
        _ when IsStorageUnavailable(ex) || (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate && aggregate.InnerExceptions.All(IsStorageUnavailable))
            => (ErrorCode.ServiceUnavailable, "Storage is busy or unreachable; retry shortly.", null),
        _ => (ErrorCode.InternalError, "An unexpected error occurred; the request id identifies it in the logs.", null),
    };
}
