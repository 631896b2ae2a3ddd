using FuncTrace.Functions.Shared;

namespace FuncTrace.Tests.TestFunctions;

/// <summary>The functions of this test assembly, read the way the app's are (<see cref="FunctionCatalog.Load"/>).</summary>
public static class TestCatalog
{
    public static FunctionCatalog Catalog { get; } = FunctionCatalog.Load(typeof(TestCatalog).Assembly);
}
