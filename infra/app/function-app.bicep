// The Flex Consumption function app (isolated worker) and, in `appSettings`, every setting the code reads. The names
// are the code's own (`Section__Key`); tests/ReportPipeline.Functions.Tests checks them against the options classes.
param name string
param planName string
param location string
param tags object
param dotnetVersion string
param instanceMemoryMB int
param maximumInstanceCount int
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param authAuthority string
param authAudience string
param authIssuer string
param consolidationSchedule string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Identity-based connections: no keys anywhere. `credential` and `clientId` select the user-assigned identity.
var appSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId

  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // The pipeline's data (TriggerBindings.StorageConnection); the same account as the host's, kept as its own connection
  // so that the data can move to another account by changing these five settings.
  ReportStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  ReportStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  ReportStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  ReportStorage__credential: 'managedidentity'
  ReportStorage__clientId: identityClientId

  // ConsolidationOptions.ScheduleSetting, bound by the timer as %ConsolidationSchedule% (UTC on Linux).
  ConsolidationSchedule: consolidationSchedule

  // ConsolidationQueueOptions (section Consolidation): the local host's queue worker; in Azure the queue trigger follows
  // host.json (maxDequeueCount 5), so these only keep the two hosts' settings the same. CoalesceSeconds is read by both
  // hosts' planner and unit handler: the window over which a district's submissions share one delayed unit.
  Consolidation__CoalesceSeconds: '5'
  Consolidation__QueueWorkers: '2'
  Consolidation__VisibilityTimeoutSeconds: '600'
  Consolidation__PollSeconds: '2'
  Consolidation__MaxDequeueCount: '5'

  // AuthOptions (section Auth): in Azure, tokens come from an OIDC authority (Entra ID); no signing key.
  Auth__Authority: authAuthority
  Auth__Audience: authAudience
  Auth__Issuer: authIssuer
  Auth__RequireHttpsMetadata: 'true'
  Auth__SigningKey: ''
  Auth__ClockSkewSeconds: '60'
  Auth__RoleClaim: 'roles'
  Auth__OrgClaim: 'org'
  Auth__DeptClaim: 'dept'
  Auth__DeptRolePrefix: 'dept.'
  Auth__DevelopmentTokens: 'false'

  // PipelineOptions (section Pipeline); empty paths mean the catalog and sample city shipped with the app.
  Pipeline__CatalogPath: ''
  Pipeline__OrgsPath: ''
  Pipeline__MaxUploadBytes: '10485760'
  Pipeline__TimeZone: 'Asia/Shanghai'
  Pipeline__IngestionPollSeconds: '5'
  Pipeline__CatalogRefreshSeconds: '60'
  // Uploads: inflated size per workbook, and the memory all uploads in flight may hold on one instance (then 503).
  Pipeline__MaxInflatedBytes: '16777216'
  Pipeline__MaxUploadBytesInFlight: '268435456'
  Pipeline__UploadIdleTimeoutSeconds: '30'
  // A request's storage work is cut off after this budget and answered 503 with Retry-After; a table write already
  // sent is never cut off at the budget, only after the commit timeout more (then the answer says the outcome is unknown).
  Pipeline__RequestStorageBudgetSeconds: '5'
  Pipeline__RequestCommitTimeoutSeconds: '30'
  Pipeline__RetryAfterSeconds: '10'
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
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
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: appSettings
}

output name string = functionApp.name
output id string = functionApp.id
output defaultHostName string = functionApp.properties.defaultHostName
