using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncTrace.Tests.Deploy;

/// <summary>The worker SDK's generated functions.metadata (beside the tests), as the Functions host reads it.</summary>
public static partial class FunctionsMetadata
{
    /// <summary>Every app setting a binding names as <c>%Name%</c> (anywhere in a string value, as the host resolves them).</summary>
    public static IReadOnlyList<string> BindingExpressions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        return [.. document.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .SelectMany(b => b.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            .SelectMany(p => AppSetting().Matches(p.Value.GetString()!).Select(m => m.Groups["name"].Value))
            .Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex("%(?<name>[^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex AppSetting();
}
