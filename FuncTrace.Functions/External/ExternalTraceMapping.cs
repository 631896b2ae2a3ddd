using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Feedback;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.External;

/// <summary>
/// What the external face's submissions become in the core: a trace is an event, its feedback is the one feedback
/// record. Checks that name a field name it as this face's clients spell it (camelCase, under <c>metadata.</c>).
/// </summary>
public static class ExternalTraceMapping
{
    /// <summary>
    /// The event a submission becomes: in conversation <c>chatId</c> (else <c>sessionId</c>), typed by <c>task</c> or by
    /// role; <c>message</c>/<c>response</c>/<c>ipAddress</c> as its data, the client's metadata kept as it was sent.
    /// </summary>
    public static NewEvent ToNewEvent(TraceSubmission submission, JsonElement? metadataAsSent, string user, ExternalTraceOptions options)
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
        if (submission.Metadata is not { } metadata || metadataAsSent is not { ValueKind: JsonValueKind.Object } rawMetadata)
        {
            throw FuncTraceException.Validation("'metadata' is required: an object with 'chatId' or 'sessionId'.", "metadata");
        }
        var conversation = metadata.ChatId ?? metadata.SessionId
            ?? throw FuncTraceException.Validation("'metadata.chatId' or 'metadata.sessionId' is required.", "metadata.chatId");
        EventValidation.ValidateConversationId(conversation, metadata.ChatId is null ? "metadata.sessionId" : "metadata.chatId");
        var eventType = metadata.Task is null
            ? (role == "user" ? "user_message" : "assistant_response")
            : Validation.KeySafe(metadata.Task, "metadata.task", EventValidation.MaxTypeLength);
        if (submission.IpAddress is { Length: > 100 })
        {
            throw FuncTraceException.Validation("'ipAddress' is longer than 100 characters.", "ipAddress");
        }
        var model = metadata.Model ?? metadata.ModelName;
        if (model is { Length: > 200 })
        {
            throw FuncTraceException.Validation($"'metadata.{(metadata.Model is null ? "modelName" : "model")}' is longer than 200 characters.", "metadata.model");
        }

        var data = new JsonObject { ["message"] = message };
        if (submission.Response is not null)
        {
            data["response"] = submission.Response;
        }
        if (submission.IpAddress is { } ip)
        {
            if (options.HashIpAddresses)
            {
                data["ipAddressHash"] = HashIp(ip, options.IpHashSalt!);
            }
            else
            {
                data["ipAddress"] = ip;
            }
        }
        return new NewEvent(
            null,
            conversation,
            eventType,
            Timestamp(metadata.Timestamp),
            JsonSerializer.SerializeToElement(data),
            null,
            role,
            model,
            Usage(metadata.Usage),
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
        Validation.KeySafe(eventId, feedback.TraceId is null ? "messageId" : "traceId", EventValidation.MaxIdLength);
        var value = Number(feedback.Value, "value") ?? Number(feedback.Score, "score");
        if (value is null && string.IsNullOrWhiteSpace(feedback.Comment))
        {
            throw FuncTraceException.Validation("Send a 'value' (or 'score') or a 'comment'.", "value");
        }
        return new NewFeedback(null, eventId, feedback.Comment, FeedbackStatus.Pending, value, "external", null);
    }

    private static DateTimeOffset? Timestamp(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var timestamp = QueryParameters.Iso8601(text, "metadata.timestamp");
        return timestamp >= EventKeys.MinTimestamp && timestamp <= EventKeys.MaxTimestamp
            ? timestamp
            : throw FuncTraceException.Validation("'metadata.timestamp' must be between 1970-01-01 and 9999-12-31.", "metadata.timestamp");
    }

    private static EventUsage? Usage(TraceUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }
        foreach (var (value, name) in new[] { (usage.PromptTokens, "promptTokens"), (usage.CompletionTokens, "completionTokens"), (usage.TotalTokens, "totalTokens") })
        {
            if (value is < 0 or > EventValidation.MaxTokens)
            {
                throw FuncTraceException.Validation($"'metadata.usage.{name}' must be between 0 and {EventValidation.MaxTokens}.", "metadata.usage." + name);
            }
        }
        return new EventUsage(usage.PromptTokens, usage.CompletionTokens, usage.TotalTokens);
    }

    /// <summary>A number, or a boolean as 1/0 (thumbs up/down); a number too large for a double is refused, not stored as infinity.</summary>
    private static double? Number(JsonElement? element, string field) => element switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } number when number.TryGetDouble(out var value) => value,
        { ValueKind: JsonValueKind.True } => 1,
        { ValueKind: JsonValueKind.False } => 0,
        _ => throw FuncTraceException.Validation($"'{field}' must be a number or a boolean.", field),
    };

    private static string HashIp(string ip, string salt) =>
        "hmac-sha256:" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(ip.Trim()))).ToLowerInvariant();
}
