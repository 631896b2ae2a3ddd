// The one storage account: the Functions host's own state, the deployment package, and the app's tables,
// queues and containers. Shared keys are off, so everything authenticates with Entra ID.
import { Tags, StorageEndpoints } from 'types.bicep'

@minLength(3)
@maxLength(24)
param name string
param location string
param tags Tags

@description('FuncTrace__StoragePrefix: tables are named prefix + name, containers and queues prefix-name.')
param prefix string
param tables string[]
param containers string[]
@description('Each queue also gets its -poison queue, where the Functions host moves messages it gives up on.')
param queues string[]
@description('The blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

var containerNames = concat(map(containers, container => '${prefix}-${container}'), [
  deploymentContainerName
])
var queueNames = flatten(map(queues, queue => [
  '${prefix}-${queue}'
  '${prefix}-${queue}-poison'
]))

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in containerNames: {
  parent: blobService
  name: container
  properties: {
    publicAccess: 'None'
  }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queue in queueNames: {
  parent: queueService
  name: queue
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in tables: {
  parent: tableService
  name: '${prefix}${table}'
}]

output name string = storage.name
output endpoints StorageEndpoints = {
  blob: storage.properties.primaryEndpoints.blob
  queue: storage.properties.primaryEndpoints.queue
  table: storage.properties.primaryEndpoints.table
}
