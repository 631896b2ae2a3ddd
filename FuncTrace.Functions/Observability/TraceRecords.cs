using System.Text.Json;

namespace FuncTrace.Functions.Observability;

/// <summary>
/// A conversation or session as a trace: its events, commands and model calls as spans in time order, with totals.
/// Events are read one bounded page per request; <see cref="NextCursor"/> continues.
/// </summary>
public sealed record TraceResponse(
    string TraceId,
    bool IsSession,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    long? DurationMs,
    IReadOnlyList<TraceSpan> Spans,
    TraceTotals Totals,
    string? NextCursor);

/// <summary>
/// One span. <see cref="Kind"/>: <c>event</c>, <c>model_call</c> (an event with a model or token usage) or <c>command</c>
/// (from its start to its end). <see cref="ParentId"/> is the command a command's events belong to.
/// </summary>
public sealed record TraceSpan(
    string SpanId,
    string Kind,
    string Name,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    long? DurationMs,
    string? Status,
    string? ParentId,
    string? Model,
    TraceUsage? Usage,
    JsonElement? Attributes);

public sealed record TraceUsage(long PromptTokens, long CompletionTokens, long TotalTokens);

public sealed record TraceTotals(int Events, int Commands, int ModelCalls, long PromptTokens, long CompletionTokens, long TotalTokens);
