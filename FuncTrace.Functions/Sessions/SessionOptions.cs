using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Sessions;

/// <summary>The <c>FuncTrace:Sessions</c> settings of the live tail (<c>GET api/sessions/{id}/events/stream</c>).</summary>
public sealed class SessionOptions
{
    public const string Section = "FuncTrace:Sessions";

    /// <summary>A <c>: keepalive</c> comment goes out when nothing else was sent for this long.</summary>
    public double HeartbeatSeconds { get; set; } = 15;

    /// <summary>How often the tail reads storage for new events.</summary>
    public int PollMilliseconds { get; set; } = 1000;
}

public sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!(options.HeartbeatSeconds is >= 0.1 and <= 3600))
        {
            failures.Add("FuncTrace__Sessions__HeartbeatSeconds must be between 0.1 and 3600.");
        }
        if (options.PollMilliseconds is < 10 or > 60_000)
        {
            failures.Add("FuncTrace__Sessions__PollMilliseconds must be between 10 and 60000.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
