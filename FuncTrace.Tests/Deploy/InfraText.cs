using System.Text.Json;
using System.Text.RegularExpressions;

namespace FuncTrace.Tests.Deploy;

/// <summary>
/// The Bicep templates read as text (no Bicep CLI can be installed here), and the settings the app documents:
/// local.settings.sample.json and the README's Configuration table.
/// </summary>
public static partial class InfraText
{
    /// <summary>main.bicep and every module, concatenated.</summary>
    public static string AllBicep { get; } = string.Join('\n',
        Directory.GetFiles(RepoFiles.InfraFolder, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText));

    public static string MainBicep { get; } = File.ReadAllText(Path.Combine(RepoFiles.InfraFolder, "main.bicep"));

    /// <summary>The app-setting keys the templates set: object keys written like environment variables.</summary>
    public static IReadOnlySet<string> AppSettingKeys { get; } =
        AppSettingKey().Matches(AllBicep).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The default of a main.bicep parameter, as written.</summary>
    public static string ParameterDefault(string name) =>
        Regex.Match(MainBicep, $@"^param {name} string = '(?<value>[^']*)'", RegexOptions.Multiline) is { Success: true } match
            ? match.Groups["value"].Value
            : throw new InvalidOperationException($"main.bicep has no string parameter '{name}' with a default.");

    public static IReadOnlyList<string> Parameters() =>
        [.. Regex.Matches(MainBicep, @"^param (?<name>\w+) ", RegexOptions.Multiline).Select(m => m.Groups["name"].Value)];

    public static IReadOnlyList<string> Outputs() =>
        [.. Regex.Matches(MainBicep, @"^output (?<name>\w+) ", RegexOptions.Multiline).Select(m => m.Groups["name"].Value)];

    /// <summary>Every setting named in local.settings.sample.json.</summary>
    public static IReadOnlyList<string> SampleSettings() =>
        [.. RepoFiles.Json("local.settings.sample.json").GetProperty("Values").EnumerateObject().Select(p => p.Name)];

    /// <summary>The README Configuration table: each setting it names (shorthand <c>__x</c> expanded) and its default cell.</summary>
    public static IReadOnlyDictionary<string, string> DocumentedDefaults()
    {
        var readme = File.ReadAllText(RepoFiles.PathOf("README.md"));
        var section = readme[readme.IndexOf("## Configuration", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var names = Backticked().Matches(cells[1]).Select(m => m.Groups["text"].Value).Where(n => !n.StartsWith('-')).ToList();
            var stem = names[0].Contains("__", StringComparison.Ordinal) ? names[0][..names[0].IndexOf("__", StringComparison.Ordinal)] : names[0];
            foreach (var name in names)
            {
                defaults[name.StartsWith("__", StringComparison.Ordinal) ? stem + name : name] = cells[2];
            }
        }
        return defaults;
    }

    public static bool HasDocumentedDefault(IReadOnlyDictionary<string, string> documented, string setting)
    {
        var row = documented.FirstOrDefault(d => d.Key == setting || (d.Key.EndsWith('*') && setting.StartsWith(d.Key[..^1], StringComparison.Ordinal)));
        return row.Key is not null && row.Value != "—" && !row.Value.StartsWith("— (", StringComparison.Ordinal);
    }

    public static JsonElement ParametersFile() => RepoFiles.Json("infra", "main.parameters.json").GetProperty("parameters");

    [GeneratedRegex(@"^\s*(?<key>[A-Za-z][A-Za-z0-9]*__[A-Za-z0-9_]+|APPLICATIONINSIGHTS_[A-Z_]+)\s*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AppSettingKey();

    [GeneratedRegex("`(?<text>[^`]+)`", RegexOptions.CultureInvariant)]
    private static partial Regex Backticked();
}
