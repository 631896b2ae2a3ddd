using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Commands;

/// <summary>The <c>FuncTrace:Commands</c> settings of session commands.</summary>
public sealed class CommandOptions
{
    public const string Section = "FuncTrace:Commands";

    /// <summary>
    /// How long an attempt holds a command it started. A message that finds the command held waits this out; one that
    /// finds the hold expired knows the attempt stopped, and fails a prompt rather than run it twice. Longer than the
    /// slowest model call (with its retries).
    /// </summary>
    public int LeaseSeconds { get; set; } = 600;

    /// <summary>How often a command waiting on a batch job looks at the job.</summary>
    public int FollowSeconds { get; set; } = 2;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);

    public TimeSpan Follow => TimeSpan.FromSeconds(FollowSeconds);
}

public sealed class CommandOptionsValidator : IValidateOptions<CommandOptions>
{
    public ValidateOptionsResult Validate(string? name, CommandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.LeaseSeconds is < 30 or > 86_400)
        {
            failures.Add("FuncTrace__Commands__LeaseSeconds must be between 30 and 86400.");
        }
        if (options.FollowSeconds is < 1 or > 3600)
        {
            failures.Add("FuncTrace__Commands__FollowSeconds must be between 1 and 3600.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
