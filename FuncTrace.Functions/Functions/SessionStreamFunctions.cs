using System.Globalization;
using FuncTrace.Domain.Conversations;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Keys;
using FuncTrace.Functions.Api;
using FuncTrace.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Functions;

/// <summary>
/// <c>GET /api/sessions/{id}/events/stream</c>: a live tail read from storage, so it sees events written by any
/// instance. Each message's <c>id</c> is the event's sequence number in its session (storage order, gap-free, unlike
/// timestamps, which writers choose), so <c>Last-Event-ID</c> resumes exactly after the last event seen.
/// </summary>
public static class SessionStreamFunctions
{
    private const int ReadBatch = 100;

    public static async Task StreamEvents(string id, HttpContext context, ConversationService conversations, IOptions<SessionStreamOptions> options, TimeProvider time, Caller caller)
    {
        var cancellationToken = context.RequestAborted;
        var resumeAfter = ParseLastEventId(EventStream.LastEventId(context.Request));
        var session = await SessionFunctions.RequireAsync(conversations, caller, id, cancellationToken);
        var after = resumeAfter ?? session.EventCount;
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        var poll = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);

        var stream = EventStream.Start(context);
        try
        {
            await stream.CommentAsync("connected", cancellationToken);
            var lastWrite = time.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var batch = await conversations.ReadAfterAsync(caller.DataTenant, id, after, ReadBatch, cancellationToken);
                foreach (var item in batch)
                {
                    await stream.WriteAsync(item.Sequence.ToString(CultureInfo.InvariantCulture), ConversationPayloads.ToSessionEvent(item.Event, item.Sequence), cancellationToken);
                    after = item.Sequence;
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
    }

    private static long? ParseLastEventId(string? text)
    {
        if (text is null)
        {
            return null;
        }
        // Sequences are stored as 12 digits; anything larger was never sent and would wrap past the end.
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence < 999_999_999_999
            ? sequence
            : throw FuncTraceException.Validation("'Last-Event-ID' must be the id of an event this stream sent (a non-negative integer).", "Last-Event-ID");
    }
}
