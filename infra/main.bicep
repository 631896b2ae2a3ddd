// FuncTrace in one resource group: a Flex Consumption Function App running the .NET 10 isolated worker, its
// user-assigned identity, one storage account with the app's tables, queues and containers, Application Insights,
// optionally Azure OpenAI.
// Deploy: az deployment group create -g <group> -f infra/main.bicep -p infra/main.parameters.json -p adminApiKey=<key>
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Names this deployment; with the subscription and resource group it seeds the unique resource names.')
param environmentName string

@description('Region for every resource; it must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Function App name (global DNS name); generated when empty.')
param functionAppName string = ''

@description('Storage account name (3-24 lowercase letters and digits); generated when empty.')
param storageAccountName string = ''

@description('Names of the other resources; generated when empty.')
param planName string = ''
param identityName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''
param openAiAccountName string = ''

@minLength(1)
@maxLength(20)
@description('Begins every table, queue and container name (FuncTrace__StoragePrefix); lowercase letters and digits.')
param storagePrefix string = 'functrace'

@secure()
@description('The bootstrap admin key (FuncTrace__AdminApiKey): it creates and revokes tenant keys.')
param adminApiKey string

@description('Create an Azure OpenAI account and model deployment and point the app at it.')
param deployOpenAi bool = false
param openAiModelName string = 'gpt-4o-mini'
param openAiModelVersion string = '2024-07-18'
param openAiDeploymentSku string = 'GlobalStandard'
@description('Model deployment capacity, in thousands of tokens per minute.')
param openAiCapacity int = 30

@description('Without deployOpenAi: an existing OpenAI-compatible endpoint, its model and (optionally) its key.')
param llmEndpoint string = ''
param llmModel string = ''
@secure()
param llmApiKey string = ''

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// With the resource group in it, the same environmentName in two groups still names two sets of resources.
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'functrace-env': environmentName
}
var appName = !empty(functionAppName) ? functionAppName : 'func-functrace-${resourceToken}'
var deploymentContainerName = toLower('app-package-${take(appName, 32)}-${take(resourceToken, 7)}')

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: !empty(identityName) ? identityName : 'id-functrace-${resourceToken}'
    location: location
    tags: tags
  }
}

// The names in FuncTrace.Functions/Shared/Storage/StorageNames.cs; the app also creates them at start.
module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: !empty(storageAccountName) ? storageAccountName : 'st${resourceToken}'
    location: location
    tags: tags
    prefix: storagePrefix
    tables: [
      'keys'
      'events'
      'views'
      'jobs'
      'agents'
    ]
    containers: [
      'payloads'
      'artifacts'
    ]
    queues: [
      'score'
      'score-poison'
      'score-check'
      'ingest'
      'ingest-poison'
      'commands'
      'commands-poison'
    ]
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: !empty(logAnalyticsName) ? logAnalyticsName : 'log-${resourceToken}'
    applicationInsightsName: !empty(applicationInsightsName) ? applicationInsightsName : 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.name
    principalId: identity.outputs.principalId
  }
}

module openAi 'modules/openai.bicep' = if (deployOpenAi) {
  name: 'openai'
  params: {
    name: !empty(openAiAccountName) ? openAiAccountName : 'oai-functrace-${resourceToken}'
    location: location
    tags: tags
    deploymentName: openAiModelName
    modelName: openAiModelName
    modelVersion: openAiModelVersion
    skuName: openAiDeploymentSku
    capacity: openAiCapacity
    principalId: identity.outputs.principalId
  }
}

var resolvedLlmEndpoint = deployOpenAi ? openAi!.outputs.endpoint : llmEndpoint
var resolvedLlmModel = deployOpenAi ? openAi!.outputs.deploymentName : llmModel

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  // The host needs its storage roles from its first start.
  dependsOn: [
    rbac
  ]
  params: {
    name: appName
    planName: !empty(planName) ? planName : 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storage: storage.outputs.endpoints
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    storagePrefix: storagePrefix
    adminApiKey: adminApiKey
    llmEndpoint: resolvedLlmEndpoint
    llmModel: resolvedLlmModel
    llmApiKey: llmApiKey
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_PREFIX string = storagePrefix
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output LLM_ENDPOINT string = resolvedLlmEndpoint
output LLM_MODEL string = resolvedLlmModel
