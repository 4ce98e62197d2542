using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;
using static ReportPipeline.Storage.Tests.Stores.Submissions;

namespace ReportPipeline.Storage.Tests.Stores;

/// <summary>
/// The bulk writer (seeding) must leave exactly what the merge path leaves: the same value chunks, audit rows and
/// receipts, entity by entity, and the same values read back through <see cref="IFieldValueStore"/>.
/// </summary>
[Collection(AzuriteFixture.CollectionName)]
public sealed class BulkWriteTests(AzuriteFixture azurite)
{
    private static readonly Period October = November.Previous();

    /// <summary>Two districts of 20 villages, pre-fill for November and last period's values for October (every chunk
    /// used), half of the latter with an idempotency key: each partition needs several transactions.</summary>
    private static List<MergeRequest> City()
    {
        var requests = new List<MergeRequest>();
        foreach (var district in new[] { "500103", "500104" })
        {
            for (var v = 1; v <= 20; v++)
            {
                var org = district + "001" + v.ToString("D3", CultureInfo.InvariantCulture);
                requests.Add(Request(org, Numbers(120, seed: v), "SEED-P-" + org, ValueOrigin.Prefilled, period: November));
                requests.Add(Request(org, Numbers(250, seed: v * 3), "SEED-H-" + org, ValueOrigin.Typed, v % 2 == 0 ? "seed:" + org : null, period: October));
            }
        }
        return requests;
    }

    private static TableFieldValueStore Store(TemporaryTable table) =>
        new(table.Client, NullLogger<TableFieldValueStore>.Instance, new FakeTimeProvider(Morning));

    [Fact]
    public async Task A_bulk_written_city_is_stored_entity_for_entity_as_the_merge_path_stores_it()
    {
        await using var merged = await azurite.CreateTableAsync();
        await using var bulk = await azurite.CreateTableAsync();
        var requests = City();
        var mergeStore = Store(merged);
        foreach (var request in requests)
        {
            await mergeStore.MergeAsync(request);
        }

        var bulkStore = Store(bulk);
        var before = bulk.Counters.Snapshot();
        var result = await bulkStore.WriteNewAsync(requests, maxConcurrency: 4, progress: null);
        var spent = bulk.Counters.Snapshot() - before;

        var expected = await Entities(merged.Client);
        Assert.Equal(expected, await Entities(bulk.Client));
        Assert.Equal((requests.Count, 0), (result.Written, result.Merged));
        Assert.Equal(expected.Count, result.Entities);
        Assert.Equal(expected.Count, spent.EntitiesWritten);
        // Whole orgs (at most 8 chunks + 3 rows) per transaction of at most 100 actions: every transaction but a
        // partition's last is filled beyond 100 - 11 entities, or the next org would have joined it.
        var perPartition = expected.GroupBy(row => row.Split('\u001f').Single(p => p.StartsWith("PartitionKey=", StringComparison.Ordinal)));
        Assert.InRange(result.Transactions, perPartition.Count(), perPartition.Sum(p => (p.Count() + 88) / 89));
        Assert.Equal(result.Transactions, spent.RoundTrips);

        foreach (var request in requests)
        {
            var fromMerge = await mergeStore.GetAsync(request.OrgCode, request.Period);
            var fromBulk = await bulkStore.GetAsync(request.OrgCode, request.Period);
            Assert.Equal(fromMerge.Values.OrderBy(v => v.Key, StringComparer.Ordinal), fromBulk.Values.OrderBy(v => v.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Writing_the_city_again_merges_each_org_and_writes_nothing()
    {
        await using var table = await azurite.CreateTableAsync();
        var requests = City();
        var store = Store(table);
        await store.WriteNewAsync(requests, maxConcurrency: 4, progress: null);
        var first = await Entities(table.Client);

        var before = table.Counters.Snapshot();
        var again = await store.WriteNewAsync(requests, maxConcurrency: 4, progress: null);
        var spent = table.Counters.Snapshot() - before;

        Assert.Equal((0, requests.Count, 0), (again.Written, again.Merged, again.Entities));
        Assert.Equal(0, spent.EntitiesWritten);
        Assert.Equal(first, await Entities(table.Client));
    }

    // BeforeCommit is where a submission's raw upload is archived and its cross-field rules are checked against the
    // stored values: a bulk write keeps both promises of the merge — run before the org's values are written (with the
    // empty org's values), and a refusal writes nothing.
    [Fact]
    public async Task A_bulk_write_runs_each_requests_before_commit_on_the_empty_org_before_writing_it()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var archived = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var requests = City().Select(r => r with
        {
            BeforeCommit = async (stored, _) =>
            {
                // Nothing of the org may be written before its record is kept.
                Assert.Empty((await store.GetAsync(r.OrgCode, r.Period)).Values);
                archived[r.OrgCode + "/" + r.Period] = stored.Count;
            },
        }).ToList();

        var result = await store.WriteNewAsync(requests, maxConcurrency: 4, progress: null);

        Assert.Equal(requests.Count, result.Written);
        Assert.Equal(requests.Select(r => r.OrgCode + "/" + r.Period).Order(StringComparer.Ordinal), archived.Keys.Order(StringComparer.Ordinal));
        Assert.All(archived.Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task A_bulk_write_with_one_request_its_before_commit_refuses_writes_nothing_and_throws_the_refusal()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var requests = City();
        var refusedOrg = requests[7].OrgCode;
        requests[7] = requests[7] with
        {
            BeforeCommit = (_, _) => throw new SubmissionRefusedException([new ValidationError("pop_resident", "required", "常住人口为必填项。")]),
        };

        var refusal = await Assert.ThrowsAsync<SubmissionRefusedException>(() => store.WriteNewAsync(requests, maxConcurrency: 4, progress: null));

        Assert.Equal("required", Assert.Single(refusal.Errors).Code);
        Assert.Empty(await Entities(table.Client));
        Assert.Empty((await store.GetAsync(refusedOrg, requests[7].Period)).Values);
    }

    /// <summary>Every stored entity as keys and properties, without the service's own Timestamp and ETag.</summary>
    private static async Task<List<string>> Entities(TableClient table)
    {
        var rows = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>())
        {
            var properties = entity.Keys
                .Where(k => k is not ("Timestamp" or "odata.etag"))
                .Order(StringComparer.Ordinal)
                .Select(k => k + "=" + Convert.ToString(entity[k] is byte[] bytes ? Convert.ToBase64String(bytes) : entity[k], CultureInfo.InvariantCulture));
            rows.Add(string.Join("\u001f", properties));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
