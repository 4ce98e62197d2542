using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Functions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();

// An exception escaping an HTTP function is answered like the local host answers it (UnexpectedFailure).
builder.UseMiddleware<UnexpectedFailureMiddleware>();
builder.Services.AddUnexpectedFailureProblems();

// The same composition root as the local host, so the two cannot drift.
builder.Services.AddReportPipeline(builder.Configuration);

// Requests, dependencies, exceptions and logs of the worker go to Application Insights through its SDK.
builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();

// The worker's Application Insights logger provider is registered with a rule that keeps only warnings and above;
// the pipeline's structured Information logs (Org, Period, Template, SubmissionId) are what ops search, so drop it
// and let host.json's log levels decide.
builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
{
    var workerRule = options.Rules.FirstOrDefault(rule =>
        rule.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
    if (workerRule is not null)
    {
        options.Rules.Remove(workerRule);
    }
});

// Azure.Core logs every 4xx answer as a warning, including the 404s and 412s the pipeline expects (a workbook not built
// yet, a lost ETag race): one per workbook would flood Application Insights. Retries and conflicts are counted by the
// storage counting policy and reach the ReportPipeline meter instead. The local host and host.json do the same.
builder.Logging.AddFilter("Azure.Core", LogLevel.Error);

var connectionString = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
var telemetryCredential = TelemetryCredential.From(builder.Configuration["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);

// Application Insights has local (key) authentication disabled in infra/: the worker authenticates with the app's
// user-assigned identity, named in the same authentication string the Functions host uses.
if (telemetryCredential is not null)
{
    builder.Services.Configure<TelemetryConfiguration>(configuration => configuration.SetAzureTokenCredential(telemetryCredential));
}

// The Application Insights SDK does not collect System.Diagnostics.Metrics; the "ReportPipeline" meter's counters and
// histograms reach customMetrics through the Azure Monitor exporter. Without a connection string (a local run without
// Application Insights) there is nowhere to send them.
if (!string.IsNullOrWhiteSpace(connectionString))
{
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddMeter(PipelineMetrics.MeterName)
        .AddAzureMonitorMetricExporter(options =>
        {
            options.ConnectionString = connectionString;
            if (telemetryCredential is not null)
            {
                options.Credential = telemetryCredential;
            }
        }));
}

builder.Build().Run();

/// <summary>Reads <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> (<c>ClientId=…;Authorization=AAD</c>).</summary>
internal static class TelemetryCredential
{
    public static TokenCredential? From(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        string? clientId = null;
        var entraId = false;
        foreach (var part in authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2)
            {
                continue;
            }

            if (pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))
            {
                clientId = pair[1];
            }
            else if (pair[0].Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                entraId = pair[1].Equals("AAD", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (!entraId)
        {
            return null;
        }

        return string.IsNullOrEmpty(clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
    }
}
