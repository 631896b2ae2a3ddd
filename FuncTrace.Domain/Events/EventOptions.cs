namespace FuncTrace.Domain.Events;

/// <summary>The <c>FuncTrace:Events</c> settings.</summary>
public sealed class EventOptions
{
    public const string Section = "FuncTrace:Events";

    /// <summary>Event data whose JSON passes this many bytes is kept in a blob (Table strings stop at 64 KiB).</summary>
    public int DataBlobThresholdBytes { get; set; } = 32 * 1024;

    /// <summary>Event types that need a human verdict unless the event says otherwise (<c>requires_feedback</c>).</summary>
    public string ReviewEventTypes { get; set; } = "assistant_response,spec_created,schema_created,api_file_created";

    /// <summary>Most events in one <c>POST /api/events/batch</c>.</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>How long a claimed review stays with its reviewer.</summary>
    public int ReviewLeaseSeconds { get; set; } = 300;

    /// <summary>Largest artifact accepted by <c>PUT /api/events/{id}/artifacts/{name}</c>, in bytes.</summary>
    public long MaxArtifactBytes { get; set; } = 100L * 1024 * 1024;

    public IReadOnlySet<string> ReviewTypes() =>
        ReviewEventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
