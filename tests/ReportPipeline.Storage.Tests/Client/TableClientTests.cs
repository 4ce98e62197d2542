using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using ReportPipeline.Storage.Client;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Client;

[Collection(AzuriteFixture.CollectionName)]
public sealed class TableClientTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_entity_round_trips_with_its_typed_properties()
    {
        await using var table = await azurite.CreateTableAsync();
        var when = new DateTimeOffset(2026, 11, 3, 4, 5, 6, TimeSpan.Zero);
        var id = Guid.NewGuid();
        var entity = new TableEntity("p1", "r1")
        {
            ["Text"] = "村委会",
            ["Long"] = 9_007_199_254_740_993L,
            ["Int"] = 42,
            ["Double"] = 2.5,
            ["Whole"] = 3.0,
            ["Flag"] = true,
            ["When"] = when,
            ["Bytes"] = new byte[] { 1, 2, 3 },
            ["Id"] = id,
        };

        await table.Client.AddEntityAsync(entity);
        var read = (await table.Client.GetEntityAsync("p1", "r1")).Value;

        Assert.Equal("村委会", read.GetString("Text"));
        Assert.Equal(9_007_199_254_740_993L, read.GetInt64("Long"));
        Assert.Equal(42, read.GetInt32("Int"));
        Assert.Equal(2.5, read.GetDouble("Double"));
        Assert.Equal(3.0, read.GetDouble("Whole"));
        Assert.True(read.GetBoolean("Flag"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(new byte[] { 1, 2, 3 }, read.GetBinary("Bytes"));
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.NotEqual(default, read.ETag);
        Assert.NotNull(read.Timestamp);
    }

    [Fact]
    public async Task Adding_an_existing_entity_fails_with_409()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "r"));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.Client.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(409, ex.Status);
        Assert.Equal("EntityAlreadyExists", ex.ErrorCode);
    }

    [Fact]
    public async Task Upsert_merge_keeps_other_properties_and_replace_drops_them()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" });

        await table.Client.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = "b2" }, TableUpdateMode.Merge);
        var merged = (await table.Client.GetEntityAsync("p", "r")).Value;
        await table.Client.UpsertEntityAsync(new TableEntity("p", "r") { ["C"] = "c" }, TableUpdateMode.Replace);
        var replaced = (await table.Client.GetEntityAsync("p", "r")).Value;

        Assert.Equal(("a", "b2"), (merged.GetString("A"), merged.GetString("B")));
        Assert.Null(replaced.GetString("A"));
        Assert.Equal("c", replaced.GetString("C"));
    }

    [Fact]
    public async Task An_update_with_a_stale_etag_fails_with_412()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });
        var first = (await table.Client.GetEntityAsync("p", "r")).Value;
        await table.Client.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 2 }, first.ETag);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(
            () => table.Client.UpdateEntityAsync(new TableEntity("p", "r") { ["V"] = 3 }, first.ETag));

        Assert.Equal(412, ex.Status);
        Assert.Equal(2, (await table.Client.GetEntityAsync("p", "r")).Value.GetInt32("V"));
        Assert.True(table.Client.Counters.Conflicts >= 1);
    }

    [Fact]
    public async Task Delete_removes_the_entity_and_reading_it_then_fails_with_404()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "r"));

        var deleted = await table.Client.DeleteEntityAsync("p", "r");
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.Client.GetEntityAsync("p", "r"));

        Assert.True(deleted);
        Assert.Equal(404, ex.Status);
        Assert.Null(await table.Client.GetEntityIfExistsAsync("p", "r"));
    }

    [Fact]
    public async Task A_query_follows_continuation_past_1000_entities()
    {
        await using var table = await azurite.CreateTableAsync();
        for (var batch = 0; batch < 13; batch++)
        {
            var actions = Enumerable.Range(batch * 100, 100)
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("big", i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)) { ["N"] = i }))
                .ToList();
            await table.Client.SubmitTransactionAsync(actions);
        }

        var pages = 0;
        var rows = new List<int>();
        await foreach (var page in table.Client.QueryAsync(TableFilter.Equal("PartitionKey", "big")).AsPages())
        {
            pages++;
            rows.AddRange(page.Values.Select(e => e.GetInt32("N")!.Value));
        }

        Assert.Equal(Enumerable.Range(0, 1300), rows);
        Assert.True(pages >= 2, $"expected continuation, got {pages} page(s)");
    }

    [Fact]
    public async Task Select_and_top_limit_what_a_query_returns()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.SubmitTransactionAsync(Enumerable.Range(0, 10)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r" + i) { ["A"] = "a", ["B"] = "b" }))
            .ToList());

        var firstPage = await table.Client.QueryAsync("PartitionKey eq 'p'", maxPerPage: 4, select: ["A"]).AsPages().FirstAsync();

        Assert.Equal(4, firstPage.Values.Count);
        Assert.All(firstPage.Values, e => Assert.Null(e.GetString("B")));
        Assert.All(firstPage.Values, e => Assert.Equal("a", e.GetString("A")));
        Assert.NotNull(firstPage.ContinuationToken);
    }

    [Fact]
    public async Task A_quote_in_a_filter_value_cannot_change_the_query()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "a") { ["Name"] = "x' or Name ne 'x" });
        await table.Client.AddEntityAsync(new TableEntity("p", "b") { ["Name"] = "other" });

        var hostile = "x' or Name ne 'x";
        var results = await table.Client.QueryAsync(TableFilter.Create($"PartitionKey eq {"p"} and Name eq {hostile}")).ToListAsync();

        Assert.Equal(["a"], results.Select(e => e.RowKey));
    }

    [Fact]
    public async Task Quotes_and_Chinese_text_survive_in_keys_and_values()
    {
        await using var table = await azurite.CreateTableAsync();
        var partition = "重庆市'渝中区";
        var row = TableKey.Escape("解放碑街道/村'委会#1?");
        await table.Client.AddEntityAsync(new TableEntity(partition, row) { ["名称"] = "It's 低保户数" });
        await table.Client.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(partition, row + "2") { ["V"] = "二'" })]);

        var read = (await table.Client.GetEntityAsync(partition, row)).Value;
        var queried = await table.Client.QueryAsync(TableFilter.Equal("PartitionKey", partition)).ToListAsync();

        Assert.Equal("It's 低保户数", read.GetString("名称"));
        Assert.Equal("解放碑街道/村'委会#1?", TableKey.Unescape(read.RowKey));
        Assert.Equal(2, queried.Count);
        Assert.Equal("二'", queried.Single(e => e.RowKey == row + "2").GetString("V"));
    }

    [Fact]
    public async Task A_batch_of_100_is_written_and_a_batch_of_101_is_rejected_before_sending()
    {
        await using var table = await azurite.CreateTableAsync();
        List<TableTransactionAction> Batch(int count) => Enumerable.Range(0, count)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))))
            .ToList();
        var before = table.Client.Counters.RoundTrips;

        var results = await table.Client.SubmitTransactionAsync(Batch(100));
        var roundTrips = table.Client.Counters.RoundTrips - before;
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => table.Client.SubmitTransactionAsync(Batch(101)));

        Assert.Equal(100, results.Value.Count);
        Assert.Equal(100, (await table.Client.QueryAsync("PartitionKey eq 'p'").ToListAsync()).Count);
        Assert.Contains("100", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, roundTrips);
    }

    [Fact]
    public async Task A_failing_batch_writes_nothing_and_names_the_failing_operation()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "r2"));
        var actions = Enumerable.Range(0, 5)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r" + i)))
            .ToList();

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.Client.SubmitTransactionAsync(actions));

        Assert.Equal(409, ex.Status);
        Assert.Contains("operation 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["r2"], (await table.Client.QueryAsync("PartitionKey eq 'p'").ToListAsync()).Select(e => e.RowKey));
    }

    [Fact]
    public async Task A_batch_with_a_stale_etag_fails_with_412()
    {
        await using var table = await azurite.CreateTableAsync();
        await table.Client.AddEntityAsync(new TableEntity("p", "r") { ["V"] = 1 });
        var stale = (await table.Client.GetEntityAsync("p", "r")).Value.ETag;
        await table.Client.UpsertEntityAsync(new TableEntity("p", "r") { ["V"] = 2 });

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => table.Client.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "new")),
            new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity("p", "r") { ["V"] = 3 }, stale),
        ]));

        Assert.Equal(412, ex.Status);
        Assert.Null(await table.Client.GetEntityIfExistsAsync("p", "new"));
    }

    [Fact]
    public async Task A_503_is_answered_by_a_retry()
    {
        var options = new StorageClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        var injector = new FailFirstRequestsTransport(2, 503);
        options.Transport = injector;
        await using var table = await azurite.CreateTableAsync();
        var client = azurite.Connection.CreateTableServiceClient(options).GetTableClient(table.Client.Name);

        await client.AddEntityAsync(new TableEntity("p", "r"));

        Assert.Equal(2, injector.Failed);
        Assert.Equal(2, client.Counters.Retries);
        Assert.Equal(3, client.Counters.RoundTrips);
        Assert.NotNull(await table.Client.GetEntityIfExistsAsync("p", "r"));
    }
}

/// <summary>
/// Answers the first <paramref name="count"/> requests itself with <paramref name="status"/>, like a busy server. It is a
/// transport rather than a policy so that Azure.Core classifies the injected response exactly as a real one.
/// </summary>
internal sealed class FailFirstRequestsTransport(int count, int status) : HttpPipelineTransport
{
    private int _failed;

    public int Failed => Math.Min(Volatile.Read(ref _failed), count);

    public override Request CreateRequest() => HttpClientTransport.Shared.CreateRequest();

    public override void Process(HttpMessage message) => throw new NotSupportedException();

    public override ValueTask ProcessAsync(HttpMessage message)
    {
        if (Interlocked.Increment(ref _failed) <= count)
        {
            message.Response = new StatusResponse(status);
            return ValueTask.CompletedTask;
        }
        return HttpClientTransport.Shared.ProcessAsync(message);
    }
}
