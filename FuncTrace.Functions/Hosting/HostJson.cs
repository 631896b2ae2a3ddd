using Microsoft.Extensions.Configuration.Memory;

namespace FuncTrace.Functions.Hosting;

/// <summary>
/// Reads <c>host.json</c> into configuration under <c>AzureFunctionsJobHost</c>, as the Functions host does, so
/// the standalone app honours the same settings and the same app-setting overrides
/// (<c>AzureFunctionsJobHost__extensions__queues__batchSize</c>).
/// </summary>
public static class HostJson
{
    public const string FileName = "host.json";
    public const string ConfigurationRoot = "AzureFunctionsJobHost";

    /// <summary>Uses the first of <paramref name="directories"/> that holds a <c>host.json</c>; none is not an error.</summary>
    public static void AddHostJson(this IConfigurationBuilder configuration, params string[] directories)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = directories.Select(d => Path.Combine(d, FileName)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            return;
        }
        var values = new ConfigurationBuilder().AddJsonFile(path).Build().AsEnumerable()
            .Where(v => v.Value is not null)
            .Select(v => KeyValuePair.Create(ConfigurationRoot + ConfigurationPath.KeyDelimiter + v.Key, v.Value));

        // First source, so every other one (app settings, environment, command line) overrides it.
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = values });
    }
}
