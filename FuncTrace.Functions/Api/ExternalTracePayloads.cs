using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Events;
using FuncTrace.Domain.Feedback;
using FuncTrace.Functions.Hosting;

namespace FuncTrace.Functions.Api;

/// <summary>The camelCase shapes of the external trace face and their mapping to events and feedback.</summary>
public static class ExternalTracePayloads
{
    public sealed record TraceUsage(long? PromptTokens, long? CompletionTokens, long? TotalTokens);

    public sealed record TraceMetadata(
        string? ChatId,
        string? SessionId,
        string? Source,
        string? Task,
        string? Model,
        string? ModelName,
        List<string>? Tags,
        string? Timestamp,
        TraceUsage? Usage);

    public sealed record TraceSubmission(string? Email, string? Message, string? IpAddress, string? Role, string? Response, JsonElement? Metadata);

    public sealed record TraceFeedback(string? TraceId, string? MessageId, JsonElement? Value, JsonElement? Score, string? Comment);

    /// <summary>
    /// The event a submission becomes: in conversation <c>chatId</c> (else <c>sessionId</c>), typed by <c>task</c> or by
    /// role; <c>message</c>/<c>response</c>/<c>ipAddress</c> as its data, the client's metadata kept as it was sent.
    /// </summary>
    public static NewEvent ToNewEvent(TraceSubmission submission, string user, ExternalTraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(options);
        var role = submission.Role ?? "user";
        if (role is not ("user" or "assistant"))
        {
            throw FuncTraceException.Validation("'role' must be 'user' or 'assistant'.", "role");
        }
        var message = Validation.Required(submission.Message, "message", int.MaxValue);
        if (role == "assistant" && string.IsNullOrWhiteSpace(submission.Response))
        {
            throw FuncTraceException.Validation("'response' is required when role is 'assistant'.", "response");
        }
        if (submission.Metadata is not { ValueKind: JsonValueKind.Object } rawMetadata)
        {
            throw FuncTraceException.Validation("'metadata' is required: an object with 'chatId' or 'sessionId'.", "metadata");
        }
        var metadata = JsonBody.Deserialize<TraceMetadata>(rawMetadata, JsonBody.CamelCase);
        var conversation = metadata.ChatId ?? metadata.SessionId
            ?? throw FuncTraceException.Validation("'metadata.chatId' or 'metadata.sessionId' is required.", "metadata.chatId");
        Validation.KeySafe(conversation, metadata.ChatId is null ? "metadata.sessionId" : "metadata.chatId", 256);
        var eventType = metadata.Task is null ? (role == "user" ? "user_message" : "assistant_response") : Validation.KeySafe(metadata.Task, "metadata.task", 128);
        if (submission.IpAddress is { Length: > 100 })
        {
            throw FuncTraceException.Validation("'ipAddress' is longer than 100 characters.", "ipAddress");
        }

        var data = new JsonObject { ["message"] = message };
        if (submission.Response is not null)
        {
            data["response"] = submission.Response;
        }
        if (submission.IpAddress is { } ip)
        {
            data[options.HashIpAddresses ? "ipAddressHash" : "ipAddress"] = options.HashIpAddresses ? HashIp(ip, options.IpHashSalt!) : ip;
        }
        return new NewEvent(
            null,
            conversation,
            eventType,
            metadata.Timestamp is null ? null : QueryParameters.Iso8601(metadata.Timestamp, "metadata.timestamp"),
            JsonSerializer.SerializeToElement(data),
            null,
            role,
            metadata.Model ?? metadata.ModelName,
            metadata.Usage is { } usage ? new EventUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens) : null,
            user,
            rawMetadata);
    }

    /// <summary>
    /// Feedback from the external face is an end user's signal, not a reviewer's verdict: it is stored with status
    /// <c>pending</c> (the event stays in the review queue) and source <c>external</c>.
    /// </summary>
    public static NewFeedback ToNewFeedback(TraceFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var eventId = feedback.TraceId ?? feedback.MessageId
            ?? throw FuncTraceException.Validation("'traceId' or 'messageId' is required.", "traceId");
        Validation.KeySafe(eventId, feedback.TraceId is null ? "messageId" : "traceId", EventService.MaxIdLength);
        var value = Number(feedback.Value, "value") ?? Number(feedback.Score, "score");
        if (value is null && string.IsNullOrWhiteSpace(feedback.Comment))
        {
            throw FuncTraceException.Validation("Send a 'value' (or 'score') or a 'comment'.", "value");
        }
        return new NewFeedback(null, eventId, feedback.Comment, FeedbackStatus.Pending, value, "external", null);
    }

    /// <summary>A number, or a boolean as 1/0 (thumbs up/down).</summary>
    private static double? Number(JsonElement? element, string field) => element switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
        { ValueKind: JsonValueKind.True } => 1,
        { ValueKind: JsonValueKind.False } => 0,
        _ => throw FuncTraceException.Validation($"'{field}' must be a number or a boolean.", field),
    };

    private static string HashIp(string ip, string salt) =>
        "hmac-sha256:" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(ip.Trim()))).ToLowerInvariant();
}
