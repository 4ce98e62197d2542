using Azure;
using Azure.Data.Tables;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Diagnostics;

[Collection(AzuriteFixture.CollectionName)]
public sealed class StorageCountingPolicyTests(AzuriteFixture azurite)
{
    private static TableTransactionAction Add(string rowKey) => new(TableTransactionActionType.Add, new TableEntity("p", rowKey) { ["N"] = 1 });

    [Fact]
    public async Task A_transaction_counts_one_round_trip_and_each_of_its_entities()
    {
        await using var table = await azurite.CreateTableAsync();
        var before = table.Counters.Snapshot();

        await table.Client.SubmitTransactionAsync([Add("a"), Add("b"), Add("c"), Add("d"), Add("e")]);
        var spent = table.Counters.Snapshot() - before;

        Assert.Equal(1, spent.RoundTrips);
        Assert.Equal(5, spent.EntitiesWritten);
    }

    [Fact]
    public async Task A_failed_transaction_writes_no_entities_and_counts_a_conflict()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "b"));
        var before = table.Counters.Snapshot();

        var failed = await Assert.ThrowsAnyAsync<RequestFailedException>(() => table.Client.SubmitTransactionAsync([Add("a"), Add("b"), Add("c")]));
        var spent = table.Counters.Snapshot() - before;
        var stored = await table.Client.QueryAsync<TableEntity>().CountAsync();

        Assert.Equal(409, failed.Status);
        Assert.Equal(0, spent.EntitiesWritten);
        Assert.Equal(1, stored);
    }

    [Fact]
    public async Task Single_entity_writes_count_one_each_and_reads_none()
    {
        await using var table = await azurite.CreateTableAsync();
        var before = table.Counters.Snapshot();

        await table.Client.AddEntityAsync(new TableEntity("p", "a"));
        await table.Client.UpsertEntityAsync(new TableEntity("p", "a") { ["N"] = 2 }, TableUpdateMode.Merge);
        await table.Client.GetEntityAsync<TableEntity>("p", "a");
        var spent = table.Counters.Snapshot() - before;

        Assert.Equal(3, spent.RoundTrips);
        Assert.Equal(2, spent.EntitiesWritten);
    }
}
