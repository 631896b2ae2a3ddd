namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// Tests that load the machine (hundreds of concurrent requests, a host process killed mid-load) run on their own, after
/// the others, so they neither slow the rest into timeouts nor are slowed by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyTests
{
    public const string Name = "Heavy";
}
