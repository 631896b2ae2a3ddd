using System.Text.RegularExpressions;
using FuncTrace.Domain.Storage;
using FuncTrace.Functions.Hosting;
using FuncTrace.Functions.Workers;
using FuncTrace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FuncTrace.Tests.Deploy;

/// <summary>The Bicep templates cross-checked as text against what the app reads and uses.</summary>
public sealed class InfraTemplateTests
{
    /// <summary>Settings the app documents that Bicep rightly leaves unset, and why.</summary>
    private static readonly Dictionary<string, string> NotSetInAzure = new(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage"] = "identity-based storage: no connection string exists",
        ["AzureWebJobsStorage__accountName"] = "the three service URIs name the endpoints instead",
        ["FUNCTIONS_WORKER_RUNTIME"] = "Flex Consumption takes the runtime from functionAppConfig.runtime",
        ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "the Functions host sets it when it starts the app",
    };

    /// <summary>Built-in role definition ids (the same in every tenant).</summary>
    private static readonly Dictionary<string, string> Roles = new(StringComparer.Ordinal)
    {
        ["Storage Blob Data Owner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["Storage Queue Data Contributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["Storage Table Data Contributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["Monitoring Metrics Publisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
        ["Cognitive Services OpenAI User"] = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    };

    [Fact]
    public void EverySettingTheAppReadsIsSetByBicepOrHasADocumentedDefault()
    {
        var documented = InfraText.DocumentedDefaults();
        var settings = InfraText.SampleSettings().Concat(documented.Keys.Where(k => !k.EndsWith('*'))).Distinct(StringComparer.Ordinal);

        var missing = settings
            .Where(s => !InfraText.AppSettingKeys.Contains(s) && !InfraText.HasDocumentedDefault(documented, s) && !NotSetInAzure.ContainsKey(s))
            .ToList();

        Assert.Empty(missing);
        Assert.All(NotSetInAzure.Keys, s => Assert.DoesNotContain(s, InfraText.AppSettingKeys));
    }

    [Fact]
    public void BicepSetsOnlySettingsTheAppOrTheFunctionsHostReads()
    {
        var read = InfraText.SampleSettings().Concat(InfraText.DocumentedDefaults().Keys)
            .Append("APPLICATIONINSIGHTS_CONNECTION_STRING").Append("APPLICATIONINSIGHTS_AUTHENTICATION_STRING")
            .ToHashSet(StringComparer.Ordinal);

        Assert.All(InfraText.AppSettingKeys, key => Assert.Contains(key, read));
        Assert.Contains("AzureWebJobsStorage__credential: 'managedidentity'", InfraText.MainBicep, StringComparison.Ordinal);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.Contains($"AzureWebJobsStorage__{service}ServiceUri", InfraText.AppSettingKeys);
        }
        Assert.Contains("FuncTrace__AdminApiKey: adminApiKey", InfraText.MainBicep, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"@secure\(\)\s*(@description\([^\n]*\)\s*)?param adminApiKey string"), InfraText.MainBicep);
    }

    [Fact]
    public void EveryAppSettingAFunctionJsonNamesIsSetByBicep()
    {
        var named = RepoFiles.Functions()
            .SelectMany(f => f.Function.GetProperty("bindings").EnumerateArray())
            .SelectMany(b => b.EnumerateObject().Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.String))
            .SelectMany(p => BindingExpressions.SettingNames(p.Value.GetString()!))
            .ToList();

        Assert.Contains("FuncTrace__StoragePrefix", named);
        Assert.All(named, setting => Assert.Contains(setting, InfraText.AppSettingKeys));
    }

    [Fact]
    public void EveryTableQueueAndContainerTheAppUsesIsCreatedWithTheDefaultPrefix()
    {
        var prefix = InfraText.ParameterDefault("storagePrefix");
        Assert.Equal(new FuncTraceOptions().StoragePrefix, prefix);
        var catalog = new StorageCatalog(StorageAccount.Development(), prefix);
        using var app = new FuncTraceApp();
        var expected = StorageNames.Tables.Select(t => catalog.Table(t).Name)
            .Concat(StorageNames.Containers.Select(c => catalog.Container(c).Name))
            .Concat(app.Services.GetRequiredService<QueueHandlers>().StorageQueues.Select(q => catalog.Queue(q).Name))
            .ToList();

        var created = InfraText.MainBicep.Replace("${storagePrefix}", prefix, StringComparison.Ordinal);

        Assert.Contains("functrace-score-poison", expected);
        Assert.All(expected, name => Assert.Contains($"'{name}'", created, StringComparison.Ordinal));
    }

    [Fact]
    public void RoleAssignmentsUseTheBuiltInRoleIdsAndAreNamedWithGuid()
    {
        foreach (var (role, id) in Roles)
        {
            Assert.Matches(new Regex($"'{id}' // {role}"), InfraText.AllBicep);
        }
        var assignments = Regex.Matches(InfraText.AllBicep, @"'Microsoft\.Authorization/roleAssignments@[^']+' = (\[for [^:]+: )?\{\s*name: (?<name>[^\n]+)");
        Assert.Equal(Regex.Matches(InfraText.AllBicep, "'Microsoft.Authorization/roleAssignments@").Count, assignments.Count);
        Assert.All(assignments, a => Assert.StartsWith("guid(", a.Groups["name"].Value, StringComparison.Ordinal));
    }

    [Fact]
    public void TheAppIsAFlexConsumptionCustomHandlerOnStorageWithoutSharedKeys()
    {
        var bicep = InfraText.AllBicep;

        Assert.Contains("name: 'FC1'", bicep, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"runtime: \{\s*name: 'custom'"), bicep);
        Assert.Contains("allowSharedKeyAccess: false", bicep, StringComparison.Ordinal);
        Assert.Contains("type: 'UserAssignedIdentity'", bicep, StringComparison.Ordinal);
        Assert.DoesNotContain("listKeys(", bicep, StringComparison.Ordinal);
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", bicep, StringComparison.Ordinal);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION:", bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputsAreUpperSnakeCaseAndTheParametersFileSetsOnlyDeclaredParameters()
    {
        var parameters = InfraText.Parameters();

        Assert.Contains("FUNCTION_APP_URL", InfraText.Outputs());
        Assert.All(InfraText.Outputs(), output => Assert.Matches("^[A-Z][A-Z0-9_]*$", output));
        Assert.All(InfraText.ParametersFile().EnumerateObject(), p => Assert.Contains(p.Name, parameters));
        Assert.DoesNotContain("adminApiKey", InfraText.ParametersFile().EnumerateObject().Select(p => p.Name));
    }
}
