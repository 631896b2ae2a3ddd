using System.Text.Json;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Tests.Deploy;

/// <summary>The compiled template's storage account, the names it creates, and what the app's identity may do there.</summary>
public sealed class StorageTemplateTests
{
    /// <summary>Built-in role definition ids (the same in every tenant).</summary>
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    [Fact]
    public void TheAccountRefusesSharedKeysAndAnonymousBlobAccess()
    {
        var account = CompiledInfra.Resource("storage", "Microsoft.Storage/storageAccounts").GetProperty("properties");

        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.True(account.GetProperty("defaultToOAuthAuthentication").GetBoolean());
        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
    }

    [Fact]
    public void TheIdentityHoldsBlobDataOwnerQueueDataContributorAndTableDataContributorOnTheAccount()
    {
        var assignment = Assert.Single(CompiledInfra.Resources(CompiledInfra.ModuleTemplate("rbac")),
            r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments" && r.TryGetProperty("copy", out _));
        var roleIds = CompiledInfra.Variable("rbac", "storageRoleIds").EnumerateArray().Select(r => r.GetString()).ToList();
        var properties = assignment.GetProperty("properties");

        Assert.Equal([BlobDataOwner, QueueDataContributor, TableDataContributor], roleIds);
        Assert.Equal("[length(variables('storageRoleIds'))]", assignment.GetProperty("copy").GetProperty("count").GetString());
        Assert.Equal("[guid(resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName')), parameters('principalId'), variables('storageRoleIds')[copyIndex()])]", assignment.GetProperty("name").GetString());
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", assignment.GetProperty("scope").GetString());
        Assert.Equal("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('storageRoleIds')[copyIndex()])]", properties.GetProperty("roleDefinitionId").GetString());
        Assert.Equal("[parameters('principalId')]", properties.GetProperty("principalId").GetString());
        Assert.Equal("ServicePrincipal", properties.GetProperty("principalType").GetString());
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.principalId.value]", CompiledInfra.ModuleParameter("rbac", "principalId").GetString());
    }

    [Fact]
    public void EveryRoleAssignmentIsNamedWithAGuidOfItsScopePrincipalAndRole()
    {
        var assignments = CompiledInfra.AllResources().Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").ToList();

        // The storage roles, Monitoring Metrics Publisher on Application Insights, Cognitive Services OpenAI User.
        Assert.Equal(3, assignments.Count);
        Assert.All(assignments, a => Assert.Matches(@"^\[guid\(resourceId\('[^']+', parameters\('[A-Za-z]+'\)\), parameters\('principalId'\), variables\('[A-Za-z]+'\)(\[copyIndex\(\)\])?\)\]$", a.GetProperty("name").GetString()));
    }

    [Fact]
    public void TheTemplateCreatesEveryTableContainerAndQueueTheAppUsesNamedAsStorageNamesNamesThem()
    {
        var template = CompiledInfra.ModuleTemplate("storage");

        Assert.Equal("[parameters('storagePrefix')]", CompiledInfra.ModuleParameter("storage", "prefix").GetString());
        Assert.Equal(StorageNames.Tables, Strings(CompiledInfra.ModuleParameter("storage", "tables")));
        Assert.Equal(StorageNames.Containers, Strings(CompiledInfra.ModuleParameter("storage", "containers")));
        Assert.Equal(StorageNames.Queues, Strings(CompiledInfra.ModuleParameter("storage", "queues")));
        // StorageNames: tables prefix + name; containers and queues prefix-name; each queue's given-up messages in name-poison.
        Assert.Contains("format('{0}{1}', parameters('prefix'), parameters('tables')[copyIndex()])",
            CompiledInfra.Resource("storage", "Microsoft.Storage/storageAccounts/tableServices/tables").GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.Equal("[concat(map(parameters('containers'), lambda('container', format('{0}-{1}', parameters('prefix'), lambdaVariables('container')))), createArray(parameters('deploymentContainerName')))]",
            template.GetProperty("variables").GetProperty("containerNames").GetString());
        Assert.Equal("[flatten(map(parameters('queues'), lambda('queue', createArray(format('{0}-{1}', parameters('prefix'), lambdaVariables('queue')), format('{0}-{1}-poison', parameters('prefix'), lambdaVariables('queue'))))))]",
            template.GetProperty("variables").GetProperty("queueNames").GetString());
        Assert.Equal("x-score-poison", StorageNames.Poison(new StorageNames("x").Queue(StorageNames.ScoreQueue)));
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
