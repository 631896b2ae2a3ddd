// The user-assigned managed identity the Function App runs as: storage, Application Insights and Azure OpenAI trust it.
import { Tags } from 'types.bicep'

param name string
param location string
param tags Tags

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
