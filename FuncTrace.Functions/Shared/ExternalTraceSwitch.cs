namespace FuncTrace.Functions.Shared;

/// <summary><c>FuncTrace:ExternalTrace:Enabled</c>: the external trace face on or off (off: 503 on all of its routes).</summary>
public sealed class ExternalTraceSwitch
{
    public const string Section = "FuncTrace:ExternalTrace";

    public bool Enabled { get; set; } = true;
}
