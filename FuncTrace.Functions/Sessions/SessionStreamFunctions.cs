using System.Globalization;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Sessions;

/// <summary>
/// The live tail, read from storage, so it sees every instance's writes.
/// <code>
/// GET api/sessions/{id}/events/stream   StreamSessionEvents   SSE; each message's id is the event's sequence
/// </code>
/// Sequences have no gaps (unlike timestamps, which writers choose), so <c>Last-Event-ID</c> resumes exactly after the last
/// event seen; without it the tail starts after the newest event. A browser's EventSource opens it with a stream token
/// (<c>POST api/stream-tokens</c>) instead of a key header.
/// </summary>
public sealed class SessionStreamFunctions(SessionService sessions, SessionEvents sessionEvents, IOptions<SessionOptions> options, TimeProvider time)
{
    private const string StreamRoute = "api/sessions/{id}/events/stream";
    private const int ReadBatch = 100;

    [Function("StreamSessionEvents")]
    [Access(Access.AnyRole)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    [StreamToken]
    public async Task<EmptyHttpResult> Stream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = StreamRoute)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cancellationToken = request.HttpContext.RequestAborted;
        var tenant = request.Caller().DataTenant;
        var resumeAfter = ParseLastEventId(EventStream.LastEventId(request));
        var last = (await sessions.RequireRowAsync(tenant, id, cancellationToken)).GetInt64("LastSequence") ?? 0;
        if (resumeAfter > last)
        {
            throw FuncTraceException.Validation($"'Last-Event-ID' {resumeAfter} is past the session's last event ({last}).", "Last-Event-ID");
        }
        var after = resumeAfter ?? last;
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        var poll = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);

        var stream = EventStream.Start(request.HttpContext);
        try
        {
            await stream.CommentAsync("connected", cancellationToken);
            var lastWrite = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = await sessionEvents.ReadAfterAsync(tenant, id, after, ReadBatch, cancellationToken);
                foreach (var item in batch)
                {
                    after = item.Sequence ?? throw new InvalidDataException($"Event '{item.Id}' of session '{id}' has no sequence.");
                    await stream.WriteAsync(after.ToString(CultureInfo.InvariantCulture), SessionEventResponse.From(item), cancellationToken);
                    lastWrite = time.GetUtcNow();
                }
                if (batch.Count == ReadBatch)
                {
                    continue;
                }
                if (time.GetUtcNow() - lastWrite >= heartbeat)
                {
                    await stream.CommentAsync("keepalive", cancellationToken);
                    lastWrite = time.GetUtcNow();
                }
                await Task.Delay(poll, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: the stream simply ends.
        }
        return TypedResults.Empty;
    }

    private static long? ParseLastEventId(string? text)
    {
        if (text is null)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : throw FuncTraceException.Validation("'Last-Event-ID' must be the id of an event this stream sent (a non-negative integer).", "Last-Event-ID");
    }
}
