using System.Globalization;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Artifacts;

/// <summary>
/// Files attached to events, streamed both ways (never held whole in memory).
/// <code>
/// PUT api/events/{id}/artifacts/{name}   UploadArtifact     stream a file to the event (201; replaces one of that name)
/// GET api/events/{id}/artifacts          ListArtifacts      the event's files, by name (limit, cursor)
/// GET api/events/{id}/artifacts/{name}   DownloadArtifact   stream a file back; one Range (206, 416), If-Range
/// </code>
/// </summary>
public sealed class ArtifactFunctions(ArtifactService artifacts, ArtifactReader reader)
{
    private const string Artifacts = "api/events/{id}/artifacts";
    private const string Artifact = "api/events/{id}/artifacts/{name}";

    [Function("UploadArtifact")]
    [Access(Access.Ingest)]
    [RequestBody(typeof(Stream), ContentType = "application/octet-stream")]
    public async Task<Created<ArtifactResponse>> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = Artifact)] HttpRequest request, string id, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stored = await artifacts.UploadAsync(request.Caller().DataTenant, id, name, request.Body, request.ContentType, request.ContentLength, request.HttpContext.RequestAborted);
        var response = ArtifactResponse.From(id, stored);
        return TypedResults.Created(response.Url, response);
    }

    [Function("ListArtifacts")]
    [Access(Access.AnyRole)]
    public async Task<Ok<ArtifactListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Artifacts)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var page = await reader.ListAsync(request.Caller().DataTenant, id, QueryParameters.Limit(request, QueryParameters.MaxLimit),
            QueryParameters.Optional(request, "cursor"), request.HttpContext.RequestAborted);
        return TypedResults.Ok(new ArtifactListResponse(page.Artifacts.Select(a => ArtifactResponse.From(id, a)).ToList(), page.NextCursor));
    }

    [Function("DownloadArtifact")]
    [Access(Access.AnyRole)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "application/octet-stream")]
    [ProducesResponseType<string>(StatusCodes.Status206PartialContent, "application/octet-stream")]
    public async Task<EmptyHttpResult> Download(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Artifact)] HttpRequest request, string id, string name)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        var range = ByteRangeRequest.Parse(request.Headers.Range.Count == 1 ? request.Headers.Range.ToString() : null);
        var ifRange = request.Headers.IfRange.Count == 1 ? request.Headers.IfRange.ToString() : null;
        using var download = await reader.OpenAsync(request.Caller().DataTenant, id, name, range, ifRange, cancellationToken);
        var artifact = download.Artifact;
        var response = request.HttpContext.Response;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = artifact.ETag.ToString("H");
        response.Headers.LastModified = artifact.CreatedAt.ToString("R", CultureInfo.InvariantCulture);
        if (download.Content is null)
        {
            response.Headers.ContentRange = $"bytes */{artifact.Size.ToString(CultureInfo.InvariantCulture)}";
            throw new FuncTraceException(ErrorCode.RangeNotSatisfiable, $"The requested range lies past the end of the artifact, which is {artifact.Size} bytes long.",
                new Dictionary<string, object?> { ["size"] = artifact.Size });
        }
        response.ContentType = artifact.ContentType;
        if (download.Range is { } part)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.ContentLength = part.Length;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {part.Offset}-{part.Last}/{artifact.Size}");
        }
        else
        {
            response.ContentLength = artifact.Size;
        }
        await download.Content.CopyToAsync(response.Body, cancellationToken);
        return TypedResults.Empty;
    }
}
