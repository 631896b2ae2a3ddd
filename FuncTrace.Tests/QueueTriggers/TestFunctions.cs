using FuncTrace.Functions.Shared;

namespace FuncTrace.Tests.QueueTriggers;

/// <summary>The functions of this test assembly, read the way the app's are (<see cref="FunctionCatalog.Load"/>).</summary>
public static class TestFunctions
{
    public static FunctionCatalog Catalog { get; } = FunctionCatalog.Load(typeof(TestFunctions).Assembly);
}
