using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Development.Bench;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Storage.Tests.Stores;
using ReportPipeline.Testing;
using Xunit.Abstractions;

namespace ReportPipeline.Storage.Tests.Bench;

[Collection(AzuriteFixture.CollectionName)]
public sealed class IngestBenchmarkTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task Ingesting_villages_meets_the_round_trip_target_and_a_full_resend_writes_nothing()
    {
        await using var values = await azurite.CreateTableAsync();
        await using var raw = await azurite.CreateTableAsync();
        var store = new TableFieldValueStore(values.Client, NullLogger<TableFieldValueStore>.Instance, TimeProvider.System);
        // 3 townships × 20 villages in two districts, 600 fields each.
        var submissions = new List<MergeRequest>();
        foreach (var district in new[] { "500103", "500104" })
        {
            for (var township = 1; township <= 3; township++)
            {
                for (var village = 1; village <= 10; village++)
                {
                    var org = district + township.ToString("D3", CultureInfo.InvariantCulture) + village.ToString("D3", CultureInfo.InvariantCulture);
                    var fieldValues = Enumerable.Range(0, 600).ToDictionary(
                        i => "F" + i.ToString("D4", CultureInfo.InvariantCulture),
                        i => new FieldValue(FieldType.Integer, ((i * 31 + village * 7 + township) % 5000).ToString(CultureInfo.InvariantCulture)));
                    submissions.Add(Submissions.Request(org, fieldValues));
                }
            }
        }

        var result = await IngestBenchmark.RunAsync(store, raw.Client, submissions);
        output.WriteLine(
            $"submissions {result.Submissions}, values {result.FieldValues}, entities {result.EntitiesWritten}, round trips/submission {result.RoundTripsPerSubmission:0.00} (max {result.MaxRoundTripsPerSubmission}), " +
            $"ingest {result.SubmissionsPerSecond:0.0}/s, raw {result.RawSubmissionsPerSecond:0.0}/s ({result.RawEntitiesPerSecond:0}/s entities), ratio {result.IngestToRawRatio:0.00}, " +
            $"resend entities {result.ResendEntitiesWritten}, replays {result.ResendReplays}, resend round trips {result.ResendRoundTrips}");

        Assert.Equal(0, result.RoundTripTargetMisses);
        Assert.Equal(2, result.MaxRoundTripsPerSubmission);
        Assert.Equal(0, result.ResendEntitiesWritten);
        Assert.Equal(0, result.ResendCountedEntitiesWritten);
        Assert.Equal(result.EntitiesWritten, result.CountedEntitiesWritten);
        Assert.Equal(submissions.Count, result.ResendReplays);
        Assert.Equal(result.RawEntities, result.EntitiesWritten);
    }
}
