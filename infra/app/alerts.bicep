// Log alerts over Application Insights. Each query reads the telemetry the pipeline sends: function invocations
// (requests), and the "ReportPipeline" meter's instruments, which land in customMetrics under their own names.
param location string
param tags object
param namePrefix string
param applicationInsightsName string
@description('Log Analytics workspace holding the storage queue write logs (StorageQueueLogs).')
param logAnalyticsId string
@description('The queue the Functions host moves a consolidation unit to after its last failed attempt.')
param poisonQueueName string
param alertEmail string

@description('Alert when more than this percentage of uploads in an hour is rejected (with at least 20 uploads).')
param rejectedPercentThreshold int = 30

@description('Alert when one consolidation run takes longer than this many milliseconds.')
param consolidationDurationThresholdMs int = 900000

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'rp-ops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'ops'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var alertRules = [
  {
    name: 'function-failures'
    displayName: 'ReportPipeline: function failures'
    description: 'Function invocations failed (server errors or exceptions, not 4xx answers to bad uploads). Open the failures blade; the exception names the org, period and submission.'
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    query: 'requests | where success == false and not(resultCode startswith "4") | summarize Failures = count() by operation_Name'
    aggregation: 'Count'
    measure: ''
    threshold: 5
  }
  {
    name: 'rejected-uploads-rate'
    displayName: 'ReportPipeline: high rate of rejected uploads'
    description: 'A large share of uploads is rejected: usually a template or catalog change that villages have not caught up with, or a broken form. The rejected files and their errors.json are in the submissions-rejected container.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT1H'
    query: 'customMetrics | where name in ("submissions.accepted", "submissions.rejected") | summarize Accepted = sumif(valueSum, name == "submissions.accepted"), Rejected = sumif(valueSum, name == "submissions.rejected") | where Accepted + Rejected >= 20 | extend RejectedPercent = 100.0 * Rejected / (Accepted + Rejected)'
    aggregation: 'Maximum'
    measure: 'RejectedPercent'
    threshold: rejectedPercentThreshold
  }
  {
    name: 'consolidation-failures'
    displayName: 'ReportPipeline: consolidation failures'
    description: 'A consolidation run or a workbook build failed: upper-level offices may be downloading stale workbooks. The next timer run retries the workbooks whose inputs changed.'
    severity: 1
    frequency: 'PT15M'
    window: 'PT1H'
    query: 'union (customMetrics | where name == "consolidation.failures" | summarize Failures = sum(valueSum)), (requests | where operation_Name == "ConsolidateReports" and success == false | summarize Failures = todouble(count())) | summarize Failures = sum(Failures)'
    aggregation: 'Maximum'
    measure: 'Failures'
    threshold: 0
  }
  {
    name: 'consolidation-duration'
    displayName: 'ReportPipeline: slow consolidation'
    description: 'A consolidation run took longer than the threshold: runs may overlap the next schedule or hit the function timeout. Check storage retries and the number of changed workbooks.'
    severity: 2
    frequency: 'PT15M'
    window: 'PT1H'
    query: 'customMetrics | where name == "consolidation.duration" | summarize LongestMs = max(valueMax)'
    aggregation: 'Maximum'
    measure: 'LongestMs'
    threshold: consolidationDurationThresholdMs
  }
]

resource rules 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = [for rule in alertRules: {
  name: '${namePrefix}-${rule.name}'
  location: location
  tags: tags
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: rule.aggregation
          metricMeasureColumn: empty(rule.measure) ? null : rule.measure
          operator: 'GreaterThan'
          threshold: rule.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}]

// A consolidation unit that failed maxDequeueCount times (host.json) lands in the poison queue: its workbooks stay
// stale until someone looks. Any message written there fires, from the queue service's own write log, so it does not
// depend on what the code logs.
resource poisonQueueAlert 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {
  name: '${namePrefix}-consolidation-poison'
  location: location
  tags: tags
  properties: {
    displayName: 'ReportPipeline: consolidation unit in the poison queue'
    description: 'A consolidation unit failed on every attempt and was moved to ${poisonQueueName}. Its workbooks are stale. Read the message (the org, period and templates of the unit) and the exceptions of the queue-triggered function, fix the cause, then move the message back to the consolidation queue or rebuild through the build route.'
    severity: 1
    enabled: true
    scopes: [
      logAnalyticsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'StorageQueueLogs | where OperationName == "PutMessage" and Uri has "/${poisonQueueName}/" | summarize Messages = count()'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'Messages'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}
