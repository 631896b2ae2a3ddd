using System.Text.Json;
using Azure.Data.Tables;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Commands;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Sessions;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Observability;

/// <summary>
/// Builds a trace from a conversation's partition: one bounded page of its events (oldest first) and its command rows
/// (a range read of <c>c|</c>, at most <see cref="MaxCommands"/>). Model calls are the events that name a model or
/// report usage; their duration is the one the command recorded, when a command made them.
/// </summary>
public sealed class TraceService(EventReader reader, CommandStore commands, SessionService sessions, IOptions<ObservabilityOptions> options)
{
    public const int MaxCommands = 1000;
    public const string ModelCallKind = "model_call";

    public async Task<TraceResponse> GetAsync(string tenant, string id, string? cursor, CancellationToken cancellationToken = default)
    {
        var conversation = EventValidation.ValidateConversationId(id);
        var page = await reader.ListConversationAsync(tenant, new EventQuery(conversation, null, null, null, options.Value.MaxTraceEvents, cursor, Descending: false), cancellationToken);
        // Commands belong to the trace as a whole: listed with its first page only.
        var rows = cursor is null ? await commands.ListRowsAsync(tenant, conversation, MaxCommands, cancellationToken) : [];
        var isSession = await sessions.GetAsync(tenant, conversation, cancellationToken) is not null;
        if (page.Events.Count == 0 && rows.Count == 0 && !isSession && cursor is null)
        {
            throw FuncTraceException.NotFound($"No conversation or session with id '{id}'.");
        }
        var spans = new List<TraceSpan>();
        foreach (var row in rows)
        {
            spans.Add(CommandSpan(await commands.RecordAsync(row, cancellationToken)));
        }
        spans.AddRange(page.Events.Select(EventSpan));
        spans.Sort((a, b) => a.StartTime != b.StartTime ? a.StartTime.CompareTo(b.StartTime) : string.CompareOrdinal(a.SpanId, b.SpanId));
        var start = spans.Count == 0 ? (DateTimeOffset?)null : spans.Min(s => s.StartTime);
        var end = spans.Count == 0 ? (DateTimeOffset?)null : spans.Max(s => s.EndTime ?? s.StartTime);
        var calls = spans.Where(s => s.Kind == ModelCallKind).ToList();
        var totals = new TraceTotals(page.Events.Count, rows.Count, calls.Count,
            calls.Sum(c => c.Usage?.PromptTokens ?? 0), calls.Sum(c => c.Usage?.CompletionTokens ?? 0), calls.Sum(c => c.Usage?.TotalTokens ?? 0));
        return new TraceResponse(conversation, isSession, start, end, start is { } s0 && end is { } e0 ? (long)(e0 - s0).TotalMilliseconds : null, spans, totals, page.NextCursor);
    }

    private static TraceSpan CommandSpan(CommandRecord command) => new(
        command.CommandId, "command", command.CommandType, command.StartedAt ?? command.CreatedAt, command.CompletedAt, command.DurationMs,
        command.Status, null, null, null,
        JsonSerializer.SerializeToElement(new { result = command.Result, error = command.Error, metadata = command.Metadata }, Shared.JsonBody.SnakeCase));

    private static TraceSpan EventSpan(EventRecord item)
    {
        var isCall = item.Model is not null || item.Usage is not null;
        var usage = item.Usage is { } u ? new TraceUsage(u.PromptTokens ?? 0, u.CompletionTokens ?? 0, u.Total) : null;
        var duration = isCall ? Long(item.Data, "duration_ms") : null;
        return new TraceSpan(item.Id, isCall ? ModelCallKind : "event", item.EventType,
            duration is { } ms ? item.Timestamp.AddMilliseconds(-ms) : item.Timestamp, item.Timestamp, duration,
            null, String(item.Data, "command_id"), item.Model, usage, item.Data);
    }

    private static long? Long(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static string? String(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
