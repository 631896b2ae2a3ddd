namespace FuncTrace.Functions.Workers;

/// <summary>The standalone queue listener (<c>FuncTrace:Worker</c>); under the Functions host the host polls instead.</summary>
public sealed class WorkerOptions
{
    public const string Section = "FuncTrace:Worker";

    /// <summary>Off lets an instance serve only HTTP while others do the queue work.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long a received message stays hidden from other consumers; renewed every third of it while the handler
    /// runs, so long work keeps the message and a crashed instance's messages come back within this time.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
}
