// The pipeline's storage account. Shared keys are disabled: every client (the Functions host, the blob trigger and the
// pipeline's own storage client) authenticates with the managed identity.
param name string
param location string
param tags object
param deploymentContainerName string
@description('Log Analytics workspace that receives the queue service\'s write logs.')
param logAnalyticsId string

// Keep in step with StorageNames in shared/ReportPipeline.Storage/StorageNames.cs (a test checks the compiled
// template against it).
var containerNames = [
  'submissions'
  'submissions-rejected'
  'submissions-archive'
  'reports'
  'reference'
  'rollups'
  'catalog'
  'prefill'
]
var tableNames = [
  'FieldValues'
  'BurdenFeedback'
  'AccessLog'
]
// The consolidation fan-out: work units, and the queue the Functions host moves a unit to after maxDequeueCount failed
// attempts (host.json); an alert watches the poison queue.
// A poison queue is named `{queue}-poison` by the Functions host; a test checks that every queue has one.
var queueNames = [
  'consolidation'
  'consolidation-poison'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_ZRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
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
  properties: {
    // Accepted and rejected submissions are the audit trail: a deleted one can be recovered for a while.
    deleteRetentionPolicy: {
      enabled: true
      days: 30
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for containerName in concat(containerNames, [ deploymentContainerName ]): {
  parent: blobService
  name: containerName
  properties: {
    publicAccess: 'None'
  }
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for tableName in tableNames: {
  parent: tableService
  name: tableName
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queueName in queueNames: {
  parent: queueService
  name: queueName
}]

// Queue writes go to Log Analytics so that the poison-queue alert and the workbook can see a message arrive there
// (the storage metrics count messages per account, not per queue). Writes only: reads would be most of the volume.
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'queue-writes'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        category: 'StorageWrite'
        enabled: true
      }
    ]
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output consolidationPoisonQueue string = queueNames[1]
