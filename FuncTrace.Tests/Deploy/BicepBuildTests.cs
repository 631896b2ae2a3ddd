namespace FuncTrace.Tests.Deploy;

/// <summary>infra/ compiles and lints clean with the real Bicep CLI: an error or any linter warning fails.</summary>
public sealed class BicepBuildTests
{
    [Fact]
    public void MainBicepCompilesWithoutAnErrorOrAWarning()
    {
        Assert.Empty(CompiledInfra.BuildDiagnostics);
        Assert.Equal("Microsoft.Resources/deployments", CompiledInfra.Module("function-app").GetProperty("type").GetString());
    }

    [Fact]
    public void EveryBicepFileLintsCleanUnderTheRepositorysRules()
    {
        var diagnostics = BicepCli.Lint("--pattern", "infra/**/*.bicep");

        Assert.Empty(diagnostics);
    }

    [Fact]
    public void TheLinterReportsAWarningSoACleanRunMeansNone()
    {
        // Under infra's bicepconfig.json: an unused parameter (a default rule) and an untyped object (one it turns on).
        var probe = Path.Combine(Path.GetTempPath(), $"functrace-probe-{Guid.NewGuid():N}.bicep");
        File.WriteAllText(probe, "param unused string\nparam untyped object\noutput shape object = untyped\n");
        try
        {
            var diagnostics = BicepCli.Lint(probe, "--config", RepoFiles.PathOf("infra", "bicepconfig.json"));

            Assert.Contains(diagnostics, d => d.Contains("warning no-unused-params", StringComparison.Ordinal));
            Assert.Contains(diagnostics, d => d.Contains("warning use-user-defined-types", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
