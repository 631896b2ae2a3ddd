using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Views;

/// <summary>The <c>FuncTrace:Ingest</c> settings: how writes are grouped into slots for the derived views.</summary>
public sealed class IngestOptions
{
    public const string Section = "FuncTrace:Ingest";

    /// <summary>
    /// How long a slot takes writes before it is sealed and its views work applied. Longer slots write the views less
    /// often (each busy conversation's summary once a slot) and make them later by as much.
    /// </summary>
    public int SlotMilliseconds { get; set; } = 1000;

    /// <summary>A slot is sealed early once its items reach about this size (about 450 bytes an event).</summary>
    public int MaxSlotBytes { get; set; } = 1_000_000;

    /// <summary>
    /// Whether the instance that wrote a slot applies its views work itself (the default: no queue round trip), or
    /// always hands it to the ingest queue's function. Either way a slot whose writer dies is recovered from its intent.
    /// </summary>
    public bool ApplyOnWriter { get; set; } = true;

    /// <summary>
    /// How long a slot's intent stays hidden (it is renewed while the slot lives). If its instance dies, the intent
    /// appears after this and the recovery function rebuilds the slot's views work from storage.
    /// </summary>
    public int IntentVisibilitySeconds { get; set; } = 60;
}

public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.SlotMilliseconds is < 10 or > 10_000)
        {
            failures.Add("FuncTrace__Ingest__SlotMilliseconds must be between 10 and 10000.");
        }
        if (options.MaxSlotBytes is < 1_000 or > 1_000_000)
        {
            failures.Add("FuncTrace__Ingest__MaxSlotBytes must be between 1000 and 1000000.");
        }
        if (options.IntentVisibilitySeconds is < 15 or > 3600)
        {
            failures.Add("FuncTrace__Ingest__IntentVisibilitySeconds must be between 15 and 3600.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
