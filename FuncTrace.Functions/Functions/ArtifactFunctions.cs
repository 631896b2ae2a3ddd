using System.Globalization;
using System.Text.RegularExpressions;
using Azure;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Auth;

namespace FuncTrace.Functions.Functions;

/// <summary>Files attached to events: <c>/api/events/{id}/artifacts</c>, streamed both ways.</summary>
public static partial class ArtifactFunctions
{
    public static IEndpointRouteBuilder MapArtifactFunctions(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/events/{id}/artifacts").WithTags("Artifacts");
        group.MapPut("/{name}", UploadArtifact).RequireAuthorization(AuthSetup.Ingest).WithSummary("Stream a file to the event");
        group.MapGet("/", ListArtifacts).RequireAuthorization(AuthSetup.Read).WithSummary("The event's files");
        group.MapGet("/{name}", DownloadArtifact).RequireAuthorization(AuthSetup.Read).WithSummary("Stream a file back (Range supported)");
        return routes;
    }

    public static async Task<IResult> UploadArtifact(string id, string name, HttpContext context, ArtifactService artifacts, Caller caller)
    {
        var request = context.Request;
        var stored = await artifacts.UploadAsync(caller.DataTenant, id, name, request.Body, request.ContentType, request.ContentLength, context.RequestAborted);
        return Results.Json(ToResponse(id, stored), statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> ListArtifacts(string id, ArtifactService artifacts, Caller caller, CancellationToken cancellationToken)
    {
        var list = await artifacts.ListAsync(caller.DataTenant, id, cancellationToken);
        return Results.Json(new { artifacts = list.Select(a => ToResponse(id, a)) });
    }

    public static async Task DownloadArtifact(string id, string name, HttpContext context, ArtifactService artifacts, Caller caller)
    {
        var range = RequestedRange(context.Request.Headers.Range.ToString());
        using var download = await artifacts.OpenAsync(caller.DataTenant, id, name, range, context.RequestAborted);
        var response = context.Response;
        response.ContentType = download.ContentType ?? "application/octet-stream";
        response.ContentLength = download.ContentLength;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = download.ETag.ToString("H");
        if (range != default)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            var last = range.Offset + download.ContentLength - 1;
            response.Headers.ContentRange = string.Create(CultureInfo.InvariantCulture, $"bytes {range.Offset}-{last}/{download.TotalLength}");
        }
        await download.Content.CopyToAsync(response.Body, context.RequestAborted);
    }

    /// <summary>One <c>bytes=start-[end]</c> range; anything else is ignored and the whole file is sent, as HTTP allows.</summary>
    private static HttpRange RequestedRange(string header)
    {
        var match = RangePattern().Match(header);
        if (!match.Success)
        {
            return default;
        }
        var start = long.Parse(match.Groups["start"].Value, CultureInfo.InvariantCulture);
        if (!match.Groups["end"].Success)
        {
            return new HttpRange(start);
        }
        var end = long.Parse(match.Groups["end"].Value, CultureInfo.InvariantCulture);
        return end < start ? default : new HttpRange(start, end - start + 1);
    }

    private static object ToResponse(string eventId, ArtifactInfo artifact) => new
    {
        name = artifact.Name,
        size = artifact.Size,
        content_type = artifact.ContentType,
        etag = artifact.ETag.ToString(),
        last_modified = artifact.LastModified,
        url = $"/api/events/{Uri.EscapeDataString(eventId)}/artifacts/{Uri.EscapeDataString(artifact.Name)}",
    };

    [GeneratedRegex(@"^bytes=(?<start>\d{1,18})-(?<end>\d{1,18})?$")]
    private static partial Regex RangePattern();
}
