using System.Text.Json;

namespace FuncTrace.LocalHost;

/// <summary>
/// Reads <c>local.settings.json</c>'s <c>Values</c> the way Functions Core Tools does, so a developer's settings work
/// the same with or without Core Tools. Environment variables still win.
/// </summary>
public static class LocalSettings
{
    public const string FileName = "local.settings.json";

    /// <summary>Uses the first of <paramref name="directories"/> that holds the file; none is not an error.</summary>
    public static void AddLocalSettings(this IConfigurationBuilder configuration, params string[] directories)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = directories.Select(d => Path.Combine(d, FileName)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return;
        }
        using var json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!json.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        var settings = values.EnumerateObject()
            .Where(p => Environment.GetEnvironmentVariable(p.Name) is null)
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText()));
        // First source, so environment variables and the command line override it.
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings });
    }
}
