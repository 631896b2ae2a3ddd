namespace FuncTrace.Functions.Hosting;

/// <summary>The <c>FuncTrace:Sessions</c> settings of the live tail (<c>GET /api/sessions/{id}/events/stream</c>).</summary>
public sealed class SessionStreamOptions
{
    public const string Section = "FuncTrace:Sessions";

    /// <summary>A <c>: keepalive</c> comment goes out when nothing else was sent for this long.</summary>
    public double HeartbeatSeconds { get; set; } = 15;

    /// <summary>How often storage is read for new events.</summary>
    public int PollMilliseconds { get; set; } = 1000;
}
