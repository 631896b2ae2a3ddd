using System.Text.Json;

namespace FuncTrace.Tests.Deploy;

/// <summary>The repository's deployment files (host.json, function folders, Bicep), found from the test binaries upward.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string FunctionsFolder => Path.Combine(Root, "deploy", "functions");

    public static string InfraFolder => Path.Combine(Root, "infra");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static JsonElement Json(params string[] parts)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf(parts)));
        return document.RootElement.Clone();
    }

    /// <summary>Each function folder's name and its function.json.</summary>
    public static IReadOnlyList<(string Name, JsonElement Function)> Functions() =>
        [.. Directory.GetDirectories(FunctionsFolder).Order(StringComparer.Ordinal)
            .Select(folder => (Path.GetFileName(folder), Json("deploy", "functions", Path.GetFileName(folder), "function.json")))];

    /// <summary>The trigger binding of a function.json (the one binding whose type ends in "Trigger").</summary>
    public static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FuncTrace.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No FuncTrace.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
