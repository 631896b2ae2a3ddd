// Application Insights on a Log Analytics workspace. Local (key) auth is off: the app's identity sends telemetry,
// the Functions host's and the worker's alike (both read APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
import { Tags } from 'types.bicep'

param logAnalyticsName string
param applicationInsightsName string
param location string
param tags Tags

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output name string = insights.name
output connectionString string = insights.properties.ConnectionString
