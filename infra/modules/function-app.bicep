// A Flex Consumption (FC1) plan and the Function App running FuncTrace on the .NET 10 isolated worker. The runtime
// comes from functionAppConfig, so there is no FUNCTIONS_WORKER_RUNTIME or FUNCTIONS_EXTENSION_VERSION app setting.
import { Tags, StorageEndpoints } from 'types.bicep'

param name string
param planName string
param location string
param tags Tags
param identityId string
param identityClientId string
param storage StorageEndpoints
param deploymentContainerName string
param applicationInsightsConnectionString string
param storagePrefix string
@secure()
param adminApiKey string
param llmEndpoint string
param llmModel string
@secure()
param llmApiKey string
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

// Exactly the settings the Functions host and the app read; everything else keeps the app's default
// (local.settings.sample.json lists them). Empty LLM values mean "not configured" to the app.
var appSettings = [
  // The host's and the app's storage: identity-based, the user-assigned identity, the three endpoints.
  {
    name: 'AzureWebJobsStorage__credential'
    value: 'managedidentity'
  }
  {
    name: 'AzureWebJobsStorage__clientId'
    value: identityClientId
  }
  {
    name: 'AzureWebJobsStorage__blobServiceUri'
    value: storage.blob
  }
  {
    name: 'AzureWebJobsStorage__queueServiceUri'
    value: storage.queue
  }
  {
    name: 'AzureWebJobsStorage__tableServiceUri'
    value: storage.table
  }
  // Telemetry from the host and the worker (Microsoft.Azure.Functions.Worker.ApplicationInsights), with Entra ID.
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: applicationInsightsConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
    value: 'ClientId=${identityClientId};Authorization=AAD'
  }
  // DefaultAzureCredential (the LLM client's Entra ID token) picks the user-assigned identity by this.
  {
    name: 'AZURE_CLIENT_ID'
    value: identityClientId
  }
  // Also resolves the queue triggers' %FuncTrace:StoragePrefix%-... queue names, which have no default.
  {
    name: 'FuncTrace__StoragePrefix'
    value: storagePrefix
  }
  {
    name: 'FuncTrace__AdminApiKey'
    value: adminApiKey
  }
  {
    name: 'FuncTrace__Llm__Endpoint'
    value: llmEndpoint
  }
  {
    name: 'FuncTrace__Llm__Model'
    value: llmModel
  }
  // Without a key the app asks the managed identity for an Entra ID token (Azure endpoints).
  {
    name: 'FuncTrace__Llm__ApiKey'
    value: llmApiKey
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: appSettings
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
