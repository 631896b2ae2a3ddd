using System.Diagnostics;
using System.Text.Json;

namespace FuncTrace.Tests.Deploy;

/// <summary>
/// The real Bicep CLI (the Azure.Bicep.CommandLine package's binary, copied beside the tests as <c>tools/bicep</c>).
/// Diagnostics are read as SARIF, so a warning is a result like an error and cannot pass unseen.
/// </summary>
public static class BicepCli
{
    public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, "tools", "bicep");

    /// <summary><c>bicep build</c> into a temporary file: the ARM JSON and every diagnostic.</summary>
    public static (JsonElement? Template, IReadOnlyList<string> Diagnostics) Build(string bicepFile)
    {
        var output = Path.Combine(Path.GetTempPath(), $"functrace-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, _, stderr) = Run("build", bicepFile, "--outfile", output, "--diagnostics-format", "sarif");
            var diagnostics = SarifResults(stderr);
            if (exitCode != 0 || !File.Exists(output))
            {
                return (null, [.. diagnostics, $"bicep build exited {exitCode}: {stderr}"]);
            }
            using var template = JsonDocument.Parse(File.ReadAllText(output));
            return (template.RootElement.Clone(), diagnostics);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>
    /// <c>bicep lint</c> run in the repository root (a file, or <c>--pattern</c> and a glob), each file with the rules of
    /// the bicepconfig.json above it unless <c>--config</c> names one: every diagnostic, warnings included.
    /// </summary>
    public static IReadOnlyList<string> Lint(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = Run(["lint", .. arguments, "--diagnostics-format", "sarif"]);
        var diagnostics = SarifResults(stdout);
        return exitCode == 0 ? diagnostics : [.. diagnostics, $"bicep lint exited {exitCode}: {stderr}"];
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = RepoFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within 2 minutes.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Each SARIF result as "file(line): level rule: message", from one SARIF document per linted file; text that is
    /// not SARIF is itself a diagnostic.
    /// </summary>
    private static List<string> SarifResults(string sarif)
    {
        var results = new List<string>();
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(sarif), new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                using var document = JsonDocument.ParseValue(ref reader);
                results.AddRange(document.RootElement.GetProperty("runs").EnumerateArray()
                    .SelectMany(run => run.GetProperty("results").EnumerateArray())
                    .Select(Describe));
            }
            return results;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return [.. results, sarif.Trim()];
        }
    }

    private static string Describe(JsonElement result)
    {
        var location = result.TryGetProperty("locations", out var locations) && locations.GetArrayLength() > 0
            ? locations[0].GetProperty("physicalLocation")
            : default;
        var where = location.ValueKind == JsonValueKind.Object
            ? $"{location.GetProperty("artifactLocation").GetProperty("uri").GetString()}({location.GetProperty("region").GetProperty("startLine").GetInt32()})"
            : "?";
        var level = result.TryGetProperty("level", out var l) ? l.GetString() : "warning";
        return $"{where}: {level} {result.GetProperty("ruleId").GetString()}: {result.GetProperty("message").GetProperty("text").GetString()}";
    }
}
