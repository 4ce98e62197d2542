// The web app (web/, built to web/dist) on Azure Static Web Apps, with the Functions app linked as its backend: the
// browser calls /api on the web app's own origin and Static Web Apps forwards it to the function app (the azd
// convention of the todo-*-swa-func templates). Linking a backend needs the Standard plan.
param name string
@description('Static Web Apps runs in a few regions only; the content is served from its global edge anyway.')
param location string
param tags object
param functionAppId string
param functionAppLocation string

resource web 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'web' })
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // azd deploys the built files itself; no repository or build pipeline is attached.
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2024-04-01' = {
  parent: web
  name: 'api'
  properties: {
    backendResourceId: functionAppId
    region: functionAppLocation
  }
}

output name string = web.name
output uri string = 'https://${web.properties.defaultHostname}'
