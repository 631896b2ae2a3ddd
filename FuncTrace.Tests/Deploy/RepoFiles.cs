using System.Text.Json;

namespace FuncTrace.Tests.Deploy;

/// <summary>The repository's deployment files (host.json, local.settings.sample.json, infra/), found from the test binaries upward.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static JsonElement Json(params string[] parts)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf(parts)));
        return document.RootElement.Clone();
    }

    /// <summary>local.settings.sample.json's <c>Values</c>.</summary>
    public static IReadOnlyDictionary<string, string> SampleSettings() =>
        Json("local.settings.sample.json").GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

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
