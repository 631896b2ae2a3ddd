using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json;

namespace FuncTrace.Tests.Deploy;

/// <summary>The compiled template's Function App: Flex Consumption, the isolated worker on .NET 10, and its settings.</summary>
public sealed class FunctionAppTemplateTests
{
    private static readonly JsonElement Site = CompiledInfra.Resource("function-app", "Microsoft.Web/sites").GetProperty("properties");
    private static readonly IReadOnlyDictionary<string, string> AppSettings = CompiledInfra.AppSettings();
    private static readonly Assembly FunctionsAssembly = typeof(FuncTrace.Functions.Shared.FuncTraceOptions).Assembly;

    /// <summary>Settings Bicep sets that local.settings.sample.json has no reason to list, and why.</summary>
    private static readonly Dictionary<string, string> AzureOnly = new(StringComparer.Ordinal)
    {
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "read by the host and the worker's Application Insights; locally there is none",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "telemetry with the managed identity, as the resource allows no key",
        ["AZURE_CLIENT_ID"] = "DefaultAzureCredential's choice of the user-assigned identity; locally az login serves",
    };

    [Fact]
    public void TheAppIsOnAFlexConsumptionPlanRunningTheDotnetIsolatedWorkerOfTheAppsTargetFramework()
    {
        var plan = CompiledInfra.Resource("function-app", "Microsoft.Web/serverfarms");
        var runtime = Site.GetProperty("functionAppConfig").GetProperty("runtime");
        var framework = FunctionsAssembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;

        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.True(plan.GetProperty("properties").GetProperty("reserved").GetBoolean(), "Flex Consumption runs on Linux");
        Assert.Equal("functionapp,linux", CompiledInfra.Resource("function-app", "Microsoft.Web/sites").GetProperty("kind").GetString());
        Assert.Equal("dotnet-isolated", runtime.GetProperty("name").GetString());
        Assert.Equal("10.0", runtime.GetProperty("version").GetString());
        Assert.Equal(".NETCoreApp,Version=v" + runtime.GetProperty("version").GetString(), framework);
    }

    [Fact]
    public void TheAppRunsAsTheUserAssignedIdentityAndDeploysToItsOwnContainerWithIt()
    {
        var site = CompiledInfra.Resource("function-app", "Microsoft.Web/sites");
        var storage = Site.GetProperty("functionAppConfig").GetProperty("deployment").GetProperty("storage");

        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("[format('{0}', parameters('identityId'))]", Assert.Single(site.GetProperty("identity").GetProperty("userAssignedIdentities").EnumerateObject()).Name);
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.id.value]", CompiledInfra.ModuleParameter("function-app", "identityId").GetString());
        Assert.Equal("blobContainer", storage.GetProperty("type").GetString());
        Assert.Equal("[format('{0}{1}', parameters('storage').blob, parameters('deploymentContainerName'))]", storage.GetProperty("value").GetString());
        Assert.Equal("UserAssignedIdentity", storage.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal("[parameters('identityId')]", storage.GetProperty("authentication").GetProperty("userAssignedIdentityResourceId").GetString());
        // The container the package goes to is one the storage module creates.
        Assert.Equal("[variables('deploymentContainerName')]", CompiledInfra.ModuleParameter("function-app", "deploymentContainerName").GetString());
        Assert.Equal("[variables('deploymentContainerName')]", CompiledInfra.ModuleParameter("storage", "deploymentContainerName").GetString());
        Assert.True(Site.GetProperty("httpsOnly").GetBoolean());
    }

    [Fact]
    public void StorageIsReachedWithTheManagedIdentityAtTheAccountsThreeEndpoints()
    {
        Assert.Equal("managedidentity", AppSettings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", AppSettings["AzureWebJobsStorage__clientId"]);
        Assert.Equal("[parameters('storage').blob]", AppSettings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal("[parameters('storage').queue]", AppSettings["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Equal("[parameters('storage').table]", AppSettings["AzureWebJobsStorage__tableServiceUri"]);
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'identity'), '2025-04-01').outputs.clientId.value]", CompiledInfra.ModuleParameter("function-app", "identityClientId").GetString());
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'storage'), '2025-04-01').outputs.endpoints.value]", CompiledInfra.ModuleParameter("function-app", "storage").GetString());
        Assert.DoesNotContain("AzureWebJobsStorage", AppSettings.Keys);
        Assert.DoesNotContain("listKeys(", CompiledInfra.Main.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheAppGetsItsStoragePrefixAdminKeyAndLlmFromTheParametersWithTheSecretsSecure()
    {
        var parameters = CompiledInfra.Main.GetProperty("parameters");

        Assert.Equal("[parameters('storagePrefix')]", AppSettings["FuncTrace__StoragePrefix"]);
        Assert.Equal("[parameters('adminApiKey')]", AppSettings["FuncTrace__AdminApiKey"]);
        Assert.Equal("[parameters('llmEndpoint')]", AppSettings["FuncTrace__Llm__Endpoint"]);
        Assert.Equal("[parameters('llmModel')]", AppSettings["FuncTrace__Llm__Model"]);
        Assert.Equal("[parameters('llmApiKey')]", AppSettings["FuncTrace__Llm__ApiKey"]);
        Assert.Equal("[parameters('storagePrefix')]", CompiledInfra.ModuleParameter("function-app", "storagePrefix").GetString());
        Assert.Equal(RepoFiles.SampleSettings()["FuncTrace__StoragePrefix"], parameters.GetProperty("storagePrefix").GetProperty("defaultValue").GetString());
        foreach (var secret in new[] { "adminApiKey", "llmApiKey" })
        {
            Assert.Equal("securestring", parameters.GetProperty(secret).GetProperty("type").GetString(), ignoreCase: true);
            Assert.Equal("securestring", CompiledInfra.ModuleTemplate("function-app").GetProperty("parameters").GetProperty(secret).GetProperty("type").GetString(), ignoreCase: true);
        }
    }

    [Fact]
    public void TelemetryGoesToApplicationInsightsWithTheIdentityThroughTheWorkersApplicationInsightsPackage()
    {
        var insights = CompiledInfra.Resource("monitoring", "Microsoft.Insights/components").GetProperty("properties");

        Assert.Equal("[parameters('applicationInsightsConnectionString')]", AppSettings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal("[reference(resourceId('Microsoft.Resources/deployments', 'monitoring'), '2025-04-01').outputs.connectionString.value]", CompiledInfra.ModuleParameter("function-app", "applicationInsightsConnectionString").GetString());
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.True(insights.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Contains(FunctionsAssembly.GetReferencedAssemblies(), a => a.Name == "Microsoft.Azure.Functions.Worker.ApplicationInsights");
    }

    [Fact]
    public void NoAppSettingNamesWhatFlexConsumptionTakesElsewhereOrRefuses()
    {
        // The runtime and its version come from functionAppConfig; the package from functionAppConfig.deployment.
        foreach (var setting in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "SCM_DO_BUILD_DURING_DEPLOYMENT" })
        {
            Assert.DoesNotContain(setting, AppSettings.Keys);
        }
    }

    [Fact]
    public void EveryAppSettingIsOneTheAppOrTheHostReads()
    {
        var sample = RepoFiles.SampleSettings();

        Assert.All(AppSettings.Keys, key => Assert.True(sample.ContainsKey(key) || AzureOnly.ContainsKey(key), $"{key} is set by Bicep but read by nothing the sample lists"));
        Assert.All(AzureOnly.Keys, key => Assert.Contains(key, AppSettings.Keys));
    }

    [Fact]
    public void TheAppSettingsResolveEveryAppSettingTheGeneratedFunctionsName()
    {
        // %Name% in a binding (the queue triggers' %FuncTrace:StoragePrefix%-...) is an app setting, ':' spelled '__'.
        var named = FunctionsMetadata.BindingExpressions().Select(name => name.Replace(":", "__", StringComparison.Ordinal)).ToList();

        Assert.All(named, name => Assert.Contains(name, AppSettings.Keys));
        Assert.Contains("FuncTrace__StoragePrefix", AppSettings.Keys);
    }

    [Fact]
    public void OutputsAreUpperSnakeCaseAndTheParametersFileSetsOnlyDeclaredNonSecretParameters()
    {
        var outputs = CompiledInfra.Main.GetProperty("outputs").EnumerateObject().Select(o => o.Name).ToList();
        var declared = CompiledInfra.Main.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("type").GetString()!);
        var file = RepoFiles.Json("infra", "main.parameters.json").GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("FUNCTION_APP_URL", outputs);
        Assert.All(outputs, output => Assert.Matches("^[A-Z][A-Z0-9_]*$", output));
        Assert.All(file, name => Assert.True(declared.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not declare"));
        Assert.All(file, name => Assert.NotEqual("securestring", declared[name], StringComparer.OrdinalIgnoreCase));
    }
}
