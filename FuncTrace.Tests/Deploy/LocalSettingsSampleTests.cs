using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace FuncTrace.Tests.Deploy;

/// <summary>
/// local.settings.sample.json, the file a developer copies to local.settings.json (both hosts read it): it is for the
/// isolated worker, names every setting of the app's options, and its values are the app's defaults.
/// </summary>
public sealed class LocalSettingsSampleTests
{
    private static readonly IReadOnlyDictionary<string, string> Sample = RepoFiles.SampleSettings();

    /// <summary>Settings the app has no default for, so the sample gives a local value instead.</summary>
    private static readonly Dictionary<string, string> LocalValues = new(StringComparer.Ordinal)
    {
        ["FuncTrace__StoragePrefix"] = "required: the queue triggers' names are built from it",
        ["FuncTrace__AdminApiKey"] = "the bootstrap admin key run-local.sh prints",
    };

    [Fact]
    public void TheSampleRunsTheIsolatedWorkerOnAzurite()
    {
        Assert.Equal("dotnet-isolated", Sample["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", Sample["AzureWebJobsStorage"]);
        Assert.Equal("functrace", Sample["FuncTrace__StoragePrefix"]);
        Assert.DoesNotContain(Sample.Keys, key => key.StartsWith("FuncTrace__Worker__", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSampleNamesEverySettingOfTheAppsOptions()
    {
        var expected = OptionsTypes().SelectMany(o => o.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && IsScalar(p.PropertyType))
            .Select(p => Key(o.Section) + "__" + p.Name));

        Assert.All(expected, key => Assert.Contains(key, Sample.Keys));
    }

    [Fact]
    public void TheSamplesValuesAreTheAppsDefaults()
    {
        // Empty is unset to the app; the local values are the app's settings without a default.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Sample
            .Where(s => s.Value.Length > 0 && !LocalValues.ContainsKey(s.Key))
            .Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value))).Build();

        Assert.All(OptionsTypes(), options =>
        {
            var defaults = Activator.CreateInstance(options.Type)!;
            var fromSample = Activator.CreateInstance(options.Type)!;
            configuration.GetSection(options.Section).Bind(fromSample);
            Assert.Equal(JsonSerializer.Serialize(defaults, options.Type), JsonSerializer.Serialize(fromSample, options.Type));
        });
        Assert.All(LocalValues.Keys, key => Assert.NotEqual(string.Empty, Sample[key]));
    }

    [Fact]
    public void TheSamplesQueueOverridesRepeatHostJsonSoCopyingItChangesNothing()
    {
        var queues = RepoFiles.Json("host.json").GetProperty("extensions").GetProperty("queues");
        var overrides = Sample.Where(s => s.Key.StartsWith("AzureFunctionsJobHost__extensions__queues__", StringComparison.Ordinal)).ToList();

        Assert.Equal(queues.EnumerateObject().Count(), overrides.Count);
        Assert.All(overrides, o =>
        {
            var setting = queues.GetProperty(o.Key["AzureFunctionsJobHost__extensions__queues__".Length..]);
            Assert.Equal(setting.ValueKind == JsonValueKind.String ? setting.GetString() : setting.GetRawText(), o.Value);
        });
    }

    /// <summary>Every options class of the app: a public type with a <c>Section</c> constant under <c>FuncTrace</c>.</summary>
    private static IEnumerable<(Type Type, string Section)> OptionsTypes()
    {
        var found = new[] { typeof(FuncTrace.Functions.Shared.FuncTraceOptions).Assembly, typeof(FuncTrace.Domain.Llm.LlmOptions).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(t => t.Section is not null && (t.Section == "FuncTrace" || t.Section.StartsWith("FuncTrace:", StringComparison.Ordinal)))
            .Select(t => (t.Type, t.Section!))
            .ToList();
        Assert.Contains(found, f => f.Type == typeof(FuncTrace.Functions.Shared.RateLimitOptions));
        return found;
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type == typeof(string) || type == typeof(TimeSpan) || type.IsEnum;
    }

    private static string Key(string section) => section.Replace(":", "__", StringComparison.Ordinal);
}
