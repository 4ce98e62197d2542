// ReportPipeline on Azure: a Flex Consumption function app with a user-assigned identity, a storage account without
// shared keys (containers, tables, the consolidation queues), Application Insights on Log Analytics, Event Grid delivery
// of dropped submissions, the web app on Static Web Apps with the function app as its backend, alerts and the ops
// workbook. Deployed with `azd up` (azure.yaml at the repository root).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; a short hash of it names the resources.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the developer running azd, given data access to the storage account for debugging. Empty for none.')
param principalId string = ''

@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param principalType string = 'User'

@description('Memory of one Flex Consumption instance; 4096 lets one instance consolidate the whole city.')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 4096

@description('Upper bound on instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('.NET version of the isolated worker.')
param dotnetVersion string = '10.0'

@minLength(1)
@description('OIDC authority that issues the bearer tokens (Entra ID: https://login.microsoftonline.com/{tenant}/v2.0); azd env set AUTH_AUTHORITY.')
param authAuthority string

@minLength(1)
@description('Expected audience (aud) of the bearer tokens: the API application ID URI or client id; azd env set AUTH_AUDIENCE.')
param authAudience string

@description('Expected issuer (iss); empty takes the issuer announced by the authority metadata.')
param authIssuer string = ''

@description('CRON schedule (six fields, seconds first) of the consolidation timer.')
param consolidationSchedule string = '0 */15 * * * *'

@description('Create the Event Grid subscription to the blob trigger. Its webhook key exists only once the code is deployed, so the postdeploy hook in azure.yaml turns this on and provisions again.')
param eventSubscriptionEnabled bool = false

@description('Region of the Static Web App serving the web app; Static Web Apps is offered in these regions only.')
@allowed([ 'eastasia', 'centralus', 'eastus2', 'westus2', 'westeurope' ])
param webLocation string = 'eastasia'

@description('E-mail address that receives the alerts; empty creates the alert rules without a receiver.')
param alertEmail string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-rp-${resourceToken}'
// Flex Consumption deploys from a blob container of the app's own storage account.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-rp-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'strp${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-rp-${resourceToken}'
    applicationInsightsName: 'appi-rp-${resourceToken}'
    location: location
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-rp-${resourceToken}'
    location: location
    tags: tags
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    authAuthority: authAuthority
    authAudience: authAudience
    authIssuer: authIssuer
    consolidationSchedule: consolidationSchedule
  }
  // The app starts with identity-based connections; give it its roles first so the first start does not fail.
  dependsOn: [ rbac ]
}

module eventGrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    systemTopicName: 'evgt-rp-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    functionAppName: functionApp.outputs.name
    subscriptionEnabled: eventSubscriptionEnabled
  }
}

module web 'app/web.bicep' = {
  name: 'web'
  scope: rg
  params: {
    name: 'stapp-rp-${resourceToken}'
    location: webLocation
    tags: tags
    functionAppId: functionApp.outputs.id
    functionAppLocation: location
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    namePrefix: 'rp-${resourceToken}'
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    poisonQueueName: storage.outputs.consolidationPoisonQueue
    alertEmail: alertEmail
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    poisonQueueName: storage.outputs.consolidationPoisonQueue
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}/api'
output SERVICE_WEB_NAME string = web.outputs.name
output SERVICE_WEB_URI string = web.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output OPS_WORKBOOK_ID string = workbook.outputs.id
