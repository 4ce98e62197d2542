// The ops dashboard: an Azure Monitor workbook over Application Insights (portal: Application Insights > Workbooks,
// or Monitor > Workbooks, "ReportPipeline operations"). Its content is workbook.json beside this file.
param location string
param tags object
param applicationInsightsName string
@description('Log Analytics workspace holding the storage queue write logs, for the poison-queue tile.')
param logAnalyticsId string
param poisonQueueName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; deriving it keeps redeployments updating the same workbook.
  name: guid(resourceGroup().id, applicationInsights.id, 'reportpipeline-ops')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'ReportPipeline operations'
    category: 'workbook'
    sourceId: applicationInsights.id
    // The poison-queue tile reads the workspace's StorageQueueLogs; its id and the queue name are filled in here.
    serializedData: replace(replace(loadTextContent('workbook.json'), '__LOG_ANALYTICS_ID__', logAnalyticsId), '__POISON_QUEUE__', poisonQueueName)
  }
}

output id string = workbook.id
