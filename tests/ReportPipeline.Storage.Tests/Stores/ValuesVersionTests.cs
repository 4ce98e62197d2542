using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;
using static ReportPipeline.Storage.Tests.Stores.Submissions;

namespace ReportPipeline.Storage.Tests.Stores;

/// <summary>A merge conditioned on the version of the values it was prepared from (HTTP If-Match, the form's record).</summary>
[Collection(AzuriteFixture.CollectionName)]
public sealed class ValuesVersionTests(AzuriteFixture azurite)
{
    private const string Village = "500103001001";

    private static TableFieldValueStore Store(TemporaryTable table)
        => new(table.Client, NullLogger<TableFieldValueStore>.Instance, TimeProvider.System);

    private static FieldValue Number(int n) => new(FieldType.Integer, n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_merge_prepared_from_an_older_version_is_refused_with_what_changed_and_writes_nothing()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(10), "first"));
        var seen = (await store.GetAsync(Village, November)).Version!;
        // Another tab (or a CSV upload) changes two fields after the clerk's form was loaded.
        var other = new Dictionary<string, FieldValue>(Numbers(10)) { ["F0001"] = Number(5300), ["F0002"] = Number(2060) };
        await store.MergeAsync(Request(Village, other, "other"));
        var current = (await store.GetAsync(Village, November)).Version!;
        var before = table.Counters.Snapshot();

        // The clerk's form still holds the old two values and changes a third.
        var mine = new Dictionary<string, FieldValue>(Numbers(10)) { ["F0003"] = Number(999) };
        var refused = await Assert.ThrowsAsync<ValuesChangedException>(() => store.MergeAsync(Request(Village, mine, "mine") with { ExpectedVersion = seen }));

        Assert.Equal(seen, refused.ExpectedVersion);
        Assert.Equal(current, refused.CurrentVersion);
        Assert.NotEqual(seen, current);
        Assert.Equal(["F0001", "F0002"], refused.Changed.Select(c => c.FieldId));
        Assert.Equal(["5300", "2060"], refused.Changed.Select(c => c.Current.Value.Canonical));
        Assert.Equal(["7", "14"], refused.Changed.Select(c => c.Submitted!.Value.Canonical));
        Assert.All(refused.Changed, c => Assert.Equal("other", c.Current.SourceId));
        Assert.Equal(0, (table.Counters.Snapshot() - before).EntitiesWritten);
        var stored = await store.GetAsync(Village, November);
        Assert.Equal("5300", stored.Values["F0001"].Value.Canonical);
        Assert.Equal("21", stored.Values["F0003"].Value.Canonical);
        Assert.Equal(current, stored.Version);

        // Sent again from the version the refusal named: accepted.
        var resolved = new Dictionary<string, FieldValue>(other) { ["F0003"] = Number(999) };
        var receipt = await store.MergeAsync(Request(Village, resolved, "resolved") with { ExpectedVersion = refused.CurrentVersion });
        Assert.Equal(1, receipt.Changed);
        Assert.Equal("999", (await store.GetAsync(Village, November)).Values["F0003"].Value.Canonical);
    }

    [Fact]
    public async Task Nothing_stored_is_a_version_too()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        Assert.Equal(ValuesVersion.None, (await store.GetAsync(Village, November)).Version);

        await store.MergeAsync(Request(Village, Numbers(3), "first") with { ExpectedVersion = ValuesVersion.None });
        var refused = await Assert.ThrowsAsync<ValuesChangedException>(
            () => store.MergeAsync(Request(Village, Numbers(4, seed: 1), "second") with { ExpectedVersion = ValuesVersion.None }));

        Assert.Equal(["F0000", "F0001", "F0002"], refused.Changed.Where(c => c.Submitted is not null).Select(c => c.FieldId));
        Assert.Equal("first", refused.Changed[0].Current.SourceId);
    }

    [Fact]
    public async Task A_resend_of_a_committed_submission_is_still_its_replay_after_the_values_moved_on()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(5), "first"));
        var seen = (await store.GetAsync(Village, November)).Version!;
        var sent = Request(Village, Numbers(5, seed: 1), "mine", idempotencyKey: "key-1") with { ExpectedVersion = seen };
        await store.MergeAsync(sent);
        await store.MergeAsync(Request(Village, Numbers(5, seed: 2), "later"));
        var before = table.Counters.Snapshot();

        // The response to "mine" was lost; the client sends the same request again with the same key and If-Match.
        var replay = await store.MergeAsync(sent with { SubmissionId = "mine-again" });

        Assert.True(replay.IsReplay);
        Assert.Equal("mine", replay.SubmissionId);
        Assert.Equal(0, (table.Counters.Snapshot() - before).EntitiesWritten);
    }

    [Fact]
    public async Task Of_concurrent_merges_prepared_from_one_version_exactly_one_commits()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(8), "first"));
        var seen = (await store.GetAsync(Village, November)).Version!;

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            try
            {
                await store.MergeAsync(Request(Village, Numbers(8, seed: 10 + w), "writer" + w) with { ExpectedVersion = seen });
                return true;
            }
            catch (ValuesChangedException)
            {
                return false;
            }
        })));

        Assert.Single(attempts, committed => committed);
        Assert.Equal(2, await store.ReadAuditAsync(Village, November).CountAsync());
    }
}
