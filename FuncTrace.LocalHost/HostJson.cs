using Microsoft.Extensions.Configuration.Memory;

namespace FuncTrace.LocalHost;

/// <summary>
/// Reads <c>host.json</c> into configuration under <c>AzureFunctionsJobHost</c>, as the Functions host does, so the local
/// host honours the same settings and the same app-setting overrides (<c>AzureFunctionsJobHost__extensions__queues__batchSize</c>).
/// </summary>
public static class HostJson
{
    public const string FileName = "host.json";
    public const string ConfigurationRoot = "AzureFunctionsJobHost";

    public static void AddHostJson(this IConfigurationBuilder configuration, string directory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The local host needs {FileName} beside it, as the Functions host does.", path);
        }
        var values = new ConfigurationBuilder().AddJsonFile(path).Build().AsEnumerable()
            .Where(v => v.Value is not null)
            .Select(v => KeyValuePair.Create(ConfigurationRoot + ConfigurationPath.KeyDelimiter + v.Key, v.Value));
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = values });
    }
}
