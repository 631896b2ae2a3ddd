using System.Text.Json;

namespace FuncTrace.Functions.Observability;

/// <summary>The body of <c>POST api/observability/logs</c>.</summary>
public sealed record LogRequest(string? Level, string? Message, JsonElement? Metadata, string? SessionId);

/// <summary>A log entry as stored and shown; its id sorts newest first.</summary>
public sealed record LogEntry(string LogId, string Level, string Message, JsonElement? Metadata, string? SessionId, DateTimeOffset Timestamp);

public sealed record LogPage(IReadOnlyList<LogEntry> Logs, string? NextCursor, int Limit);

public static class LogLevels
{
    public static IReadOnlyList<string> All { get; } = ["debug", "info", "warning", "error", "critical"];
}
