using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Events;

/// <summary>The <c>FuncTrace:Events</c> settings.</summary>
public sealed class EventOptions
{
    public const string Section = "FuncTrace:Events";

    /// <summary>Event data whose JSON passes this many bytes is kept in a blob (a table string holds 32 K characters).</summary>
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

public sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    /// <summary>A table string property holds 32 K UTF-16 characters; JSON of up to this many UTF-8 bytes always fits.</summary>
    public const int MaxInlineDataBytes = 32 * 1024;

    public ValidateOptionsResult Validate(string? name, EventOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.DataBlobThresholdBytes is < 0 or > MaxInlineDataBytes)
        {
            failures.Add($"FuncTrace__Events__DataBlobThresholdBytes must be between 0 and {MaxInlineDataBytes}.");
        }
        if (options.MaxBatchSize is < 1 or > 5000)
        {
            failures.Add("FuncTrace__Events__MaxBatchSize must be between 1 and 5000.");
        }
        if (options.ReviewLeaseSeconds is < 5 or > 86_400)
        {
            failures.Add("FuncTrace__Events__ReviewLeaseSeconds must be between 5 and 86400.");
        }
        if (options.MaxArtifactBytes is < 1 or > 5L * 1024 * 1024 * 1024)
        {
            failures.Add("FuncTrace__Events__MaxArtifactBytes must be between 1 and 5 GiB.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
