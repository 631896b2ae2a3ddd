using System.Text.Json;

namespace FuncTrace.Functions.Hosting;

/// <summary>
/// Reads <c>local.settings.json</c>'s <c>Values</c> the way Functions Core Tools would, so a developer's
/// settings work the same with or without the Functions host. Environment variables still win.
/// </summary>
public static class LocalSettings
{
    public static void AddLocalSettings(this IConfigurationBuilder configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = Path.Combine(contentRoot, "local.settings.json");
        if (!File.Exists(path))
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
        configuration.AddInMemoryCollection(settings);
    }
}
