using System.Text.Json;

namespace FuncTrace.Tests.Deploy;

/// <summary>
/// infra/main.bicep compiled once by the real Bicep CLI, and ways into the ARM JSON: its modules (nested deployments),
/// their parameters and resources, and the Function App's app settings.
/// </summary>
public static class CompiledInfra
{
    public static string MainBicep { get; } = RepoFiles.PathOf("infra", "main.bicep");

    private static readonly Lazy<(JsonElement? Template, IReadOnlyList<string> Diagnostics)> Compiled = new(() => BicepCli.Build(MainBicep));

    public static IReadOnlyList<string> BuildDiagnostics => Compiled.Value.Diagnostics;

    public static JsonElement Main => Compiled.Value.Template
        ?? throw new InvalidOperationException("infra/main.bicep did not compile: " + string.Join('\n', BuildDiagnostics));

    /// <summary>The nested deployment main.bicep names <paramref name="name"/> (its <c>module … = { name: … }</c>).</summary>
    public static JsonElement Module(string name) =>
        Resources(Main).Single(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == name);

    public static JsonElement ModuleTemplate(string module) => Module(module).GetProperty("properties").GetProperty("template");

    /// <summary>What main.bicep passes for a module parameter: a literal, or an ARM expression string.</summary>
    public static JsonElement ModuleParameter(string module, string parameter) =>
        Module(module).GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value");

    /// <summary>A template's resources, whether listed (classic) or keyed by symbolic name (language version 2.0).</summary>
    public static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray()
            : resources.EnumerateObject().Select(p => p.Value);
    }

    /// <summary>Every resource of main and of its modules.</summary>
    public static IEnumerable<JsonElement> AllResources() =>
        Resources(Main).Concat(Resources(Main).Where(IsModule).SelectMany(m => Resources(m.GetProperty("properties").GetProperty("template"))));

    public static JsonElement Resource(string module, string type) =>
        Resources(ModuleTemplate(module)).Single(r => r.GetProperty("type").GetString() == type);

    public static JsonElement Variable(string module, string name) => ModuleTemplate(module).GetProperty("variables").GetProperty(name);

    /// <summary>The Function App's app settings: name and value (a literal or an ARM expression over the module's parameters).</summary>
    public static IReadOnlyDictionary<string, string> AppSettings()
    {
        var site = Resource("function-app", "Microsoft.Web/sites");
        var settings = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings");
        // Bicep keeps a variable that holds no runtime value in the variables section and refers to it.
        if (settings.ValueKind == JsonValueKind.String)
        {
            Assert.Equal("[variables('appSettings')]", settings.GetString());
            settings = Variable("function-app", "appSettings");
        }
        return settings.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetString()!, StringComparer.Ordinal);
    }

    private static bool IsModule(JsonElement resource) => resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments";
}
