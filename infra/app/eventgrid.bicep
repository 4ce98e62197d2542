// Event Grid delivery of blobs dropped into `submissions/` to the blob trigger (Source = EventGrid, the only blob
// trigger the Flex Consumption plan supports). The webhook is the Functions host's blobs extension endpoint, keyed by
// its `blobs_extension` system key, which exists only after the code is deployed: hence `subscriptionEnabled`.
param systemTopicName string
param location string
param tags object
param storageAccountName string
param functionAppName string
param subscriptionEnabled bool

// The [Function] name of the blob trigger (functions/ReportPipeline.Functions/Functions/IngestSubmissionBlob.cs).
var blobTriggerFunctionName = 'IngestSubmissionBlob'
// The blob trigger of department pre-fill drops (functions/ReportPipeline.Functions/Functions/IngestPrefillBlob.cs).
var prefillTriggerFunctionName = 'IngestPrefillBlob'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: systemTopicName
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource submissionsCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscriptionEnabled) {
  parent: systemTopic
  name: 'submissions-blob-created'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${blobTriggerFunctionName}&code=${listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/submissions/'
    }
    // A failed ingestion returns an error to Event Grid, which redelivers; ingestion is idempotent, so a redelivery of
    // an already merged file writes nothing.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

resource prefillCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (subscriptionEnabled) {
  parent: systemTopic
  name: 'prefill-blob-created'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${prefillTriggerFunctionName}&code=${listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension}'
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/prefill/'
    }
    // A redelivered pre-fill merges nothing twice: a village whose values already match writes nothing.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = systemTopic.name
