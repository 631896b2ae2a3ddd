// FuncTrace in one resource group: a Flex Consumption Function App (custom handler), its user-assigned identity,
// one storage account with the app's tables, queues and containers, Application Insights, optionally Azure OpenAI.
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

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'functrace-env': environmentName
}
var appName = !empty(functionAppName) ? functionAppName : 'func-functrace-${resourceToken}'
var deploymentContainerName = toLower('app-package-${take(appName, 32)}-${take(resourceToken, 7)}')

// Every table, container and queue the app uses (FuncTrace.Domain/Storage/StorageNames.cs and the ScoreWorker
// queue with its poison queue), named as StorageCatalog names them: tables prefix + name, the others prefix-name.
var tableNames = [
  '${storagePrefix}keys'
  '${storagePrefix}events'
  '${storagePrefix}jobs'
]
var containerNames = [
  '${storagePrefix}-payloads'
  '${storagePrefix}-artifacts'
]
var queueNames = [
  '${storagePrefix}-score'
  '${storagePrefix}-score-poison'
  '${storagePrefix}-score-poison-poison'
]

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: !empty(identityName) ? identityName : 'id-functrace-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: !empty(storageAccountName) ? storageAccountName : 'st${resourceToken}'
    location: location
    tags: tags
    tableNames: tableNames
    queueNames: queueNames
    containerNames: concat(containerNames, [
      deploymentContainerName
    ])
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

// Exactly the settings the app and the Functions host read; everything else keeps its documented default.
var coreSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  // Also resolves the queue trigger's %FuncTrace__StoragePrefix%-score in ScoreWorker/function.json.
  FuncTrace__StoragePrefix: storagePrefix
  FuncTrace__AdminApiKey: adminApiKey
}
var llmSettings = empty(resolvedLlmEndpoint) ? {} : {
  FuncTrace__Llm__Endpoint: resolvedLlmEndpoint
  FuncTrace__Llm__Model: resolvedLlmModel
}
// Without a key the app asks the managed identity for an Entra ID token (Azure endpoints).
var llmKeySettings = empty(llmApiKey) ? {} : {
  FuncTrace__Llm__ApiKey: llmApiKey
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  dependsOn: [
    rbac
  ]
  params: {
    name: appName
    planName: !empty(planName) ? planName : 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    appSettings: union(coreSettings, llmSettings, llmKeySettings)
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
