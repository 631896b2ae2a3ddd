using System.Globalization;
using System.Reflection;
using FuncTrace.Functions.Shared;
using Microsoft.Extensions.Configuration;

namespace FuncTrace.Functions.Config;

/// <summary>One setting as the app runs with it: its environment name, its value (secrets: only "set" or "unset"), and whether it is the default.</summary>
public sealed record SettingResponse(string Name, string? Value, bool Secret, bool IsDefault);

public sealed record ConfigResponse(IReadOnlyList<SettingResponse> Settings);

/// <summary>
/// The effective settings: every scalar property of every options class (a public type with a <c>Section</c> constant
/// under <c>FuncTrace</c>), bound from configuration over its default — the same list local.settings.sample.json names —
/// and the storage connection. A setting whose name says it is a key, secret, password, token or connection string is
/// shown only as set or unset.
/// </summary>
public sealed class EffectiveSettings(IConfiguration configuration)
{
    private static readonly string[] SecretWords = ["Key", "Secret", "Password", "Token", "Connection"];
    private static readonly IReadOnlyList<(Type Type, string Section)> OptionsTypes = FindOptionsTypes();

    public ConfigResponse Read()
    {
        var settings = new SortedDictionary<string, SettingResponse>(StringComparer.Ordinal);
        foreach (var (type, section) in OptionsTypes)
        {
            var defaults = Activator.CreateInstance(type)!;
            var effective = Activator.CreateInstance(type)!;
            configuration.GetSection(section).Bind(effective);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && IsScalar(p.PropertyType)))
            {
                var name = section.Replace(":", "__", StringComparison.Ordinal) + "__" + property.Name;
                var value = Text(property.GetValue(effective));
                settings.TryAdd(name, Setting(name, value, Equals(value, Text(property.GetValue(defaults)))));
            }
        }
        const string Storage = StorageConnectionName;
        settings.TryAdd(Storage, Setting(Storage, configuration[Storage] ?? configuration.GetSection(Storage)["serviceUri"], isDefault: false, secret: true));
        return new ConfigResponse([.. settings.Values]);
    }

    private const string StorageConnectionName = "AzureWebJobsStorage";

    private static SettingResponse Setting(string name, string? value, bool isDefault, bool secret = false)
    {
        var isSecret = secret || SecretWords.Any(word => name[(name.LastIndexOf("__", StringComparison.Ordinal) + 2)..].Contains(word, StringComparison.Ordinal));
        return new SettingResponse(name, isSecret ? (string.IsNullOrEmpty(value) ? "unset" : "set") : value, isSecret, isDefault);
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan);
    }

    private static List<(Type, string)> FindOptionsTypes() =>
        new[] { typeof(FuncTraceOptions).Assembly, typeof(Domain.Llm.LlmOptions).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(t => t.Section is not null && (t.Section == "FuncTrace" || t.Section.StartsWith("FuncTrace:", StringComparison.Ordinal))
                && !t.Type.IsAbstract && t.Type.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (t.Type, t.Section!))
            .ToList();
}
