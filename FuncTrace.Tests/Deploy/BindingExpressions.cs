using System.Text.RegularExpressions;

namespace FuncTrace.Tests.Deploy;

/// <summary>
/// The Functions host's app-setting binding expressions (<c>%Name%</c>, anywhere in a value, as its
/// <c>ResolveWholeString</c> does), so a test can see the queue name the host will listen to.
/// </summary>
public static partial class BindingExpressions
{
    public static string Resolve(string value, IReadOnlyDictionary<string, string> settings) =>
        AppSetting().Replace(value, match => settings.TryGetValue(match.Groups["name"].Value, out var setting)
            ? setting
            : throw new InvalidOperationException($"'{value}' names app setting '{match.Groups["name"].Value}', which is not set."));

    public static IEnumerable<string> SettingNames(string value) =>
        AppSetting().Matches(value).Select(m => m.Groups["name"].Value);

    [GeneratedRegex("%(?<name>[^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex AppSetting();
}
