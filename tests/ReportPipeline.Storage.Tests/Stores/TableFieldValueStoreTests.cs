using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;
using static ReportPipeline.Storage.Tests.Stores.Submissions;

namespace ReportPipeline.Storage.Tests.Stores;

[Collection(AzuriteFixture.CollectionName)]
public sealed class TableFieldValueStoreTests(AzuriteFixture azurite)
{
    private const string Village = "500103001001";
    private const string Neighbour = "500103001002";
    private const string OtherDistrict = "500104002003";

    private static TableFieldValueStore Store(TemporaryTable table, ValueStoreOptions? options = null)
        => new(table.Client, NullLogger<TableFieldValueStore>.Instance, TimeProvider.System, options);

    [Fact]
    public async Task Resubmitting_unchanged_values_writes_nothing_and_returns_the_first_receipt()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var values = Numbers(300);
        var start = table.Counters.Snapshot();
        var first = await store.MergeAsync(Request(Village, values, "first"));
        var before = table.Counters.Snapshot();

        var resend = await store.MergeAsync(Request(Village, values, "second"));
        var spent = table.Counters.Snapshot() - before;

        Assert.False(first.IsReplay);
        Assert.Equal(300, first.Changed);
        Assert.Equal(first.EntitiesWritten, (before - start).EntitiesWritten);
        Assert.True(resend.IsReplay);
        Assert.Equal("first", resend.SubmissionId);
        Assert.Equal(0, resend.EntitiesWritten);
        Assert.Equal(0, spent.EntitiesWritten);
        Assert.Equal(1, spent.RoundTrips);
    }

    [Fact]
    public async Task A_known_idempotency_key_with_its_first_content_replays_the_first_receipt()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(10), "first", idempotencyKey: "key-1"));
        await store.MergeAsync(Request(Village, Numbers(10, seed: 1), "second"));
        var before = table.Counters.Snapshot();

        var replay = await store.MergeAsync(Request(Village, Numbers(10), "third", idempotencyKey: "key-1"));

        Assert.True(replay.IsReplay);
        Assert.Equal("first", replay.SubmissionId);
        Assert.Equal(0, (table.Counters.Snapshot() - before).EntitiesWritten);
        Assert.Equal("8", (await store.GetAsync(Village, November)).Values["F0001"].Value.Canonical);
    }

    [Fact]
    public async Task A_reused_idempotency_key_with_other_content_is_refused_and_writes_nothing()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(10), "first", idempotencyKey: "key-1"));
        var before = table.Counters.Snapshot();

        var refused = await Assert.ThrowsAsync<IdempotencyKeyReusedException>(
            () => store.MergeAsync(Request(Village, Numbers(10, seed: 2), "second", idempotencyKey: "key-1")));

        Assert.Equal("key-1", refused.IdempotencyKey);
        Assert.Equal("first", refused.FirstSubmissionId);
        Assert.Equal("idempotency_key_reused", IdempotencyKeyReusedException.Code);
        Assert.Equal(0, (table.Counters.Snapshot() - before).EntitiesWritten);
        Assert.Equal("7", (await store.GetAsync(Village, November)).Values["F0001"].Value.Canonical);
        Assert.Single(await store.ReadAuditAsync(Village, November).ToListAsync());
    }

    [Fact]
    public async Task Locked_values_refuse_every_merge_and_write_nothing_until_unlocked()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var approvals = new TableApprovalStore(table.Client, NullLogger<TableApprovalStore>.Instance, TimeProvider.System);
        await store.MergeAsync(Request(Village, Numbers(10), "first"));

        var approval = await approvals.CommitAsync(await approvals.ReadAsync(November, [Village]), new(Village, November, ApprovalAction.Approve, "甲", "500103001000", Morning, null), "500103001000");
        var before = table.Counters.Snapshot();
        var refused = await Assert.ThrowsAsync<OrgLockedException>(() => store.MergeAsync(Request(Village, Numbers(10, seed: 1), "second")));
        var resend = await store.MergeAsync(Request(Village, Numbers(10), "again"));

        Assert.Equal(Village, refused.OrgCode);
        Assert.Equal(approval, refused.Approval);
        Assert.Equal(0, (table.Counters.Snapshot() - before).EntitiesWritten);
        Assert.True(resend.IsReplay);
        Assert.Equal("7", (await store.GetAsync(Village, November)).Values["F0001"].Value.Canonical);
        Assert.Single(await store.ReadAuditAsync(Village, November).ToListAsync());
        await store.MergeAsync(Request(Neighbour, Numbers(10, seed: 1), "neighbour"));

        await approvals.CommitAsync(await approvals.ReadAsync(November, [Village]), new(Village, November, ApprovalAction.Unlock, "乙", "500103001000", Morning, "更正"), "500103001000");
        var after = await store.MergeAsync(Request(Village, Numbers(10, seed: 1), "third"));
        Assert.False(after.IsReplay);
        Assert.Equal("8", (await store.GetAsync(Village, November)).Values["F0001"].Value.Canonical);
    }

    [Theory]
    [InlineData('#', 199)]
    [InlineData('/', 400)]
    [InlineData('键', 300)]
    public async Task An_idempotency_key_that_grows_when_escaped_still_merges_once(char character, int length)
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var key = new string(character, length);

        var first = await store.MergeAsync(Request(Village, Numbers(3), "first", idempotencyKey: key));
        await store.MergeAsync(Request(Village, Numbers(3, seed: 1), "between"));
        var again = await store.MergeAsync(Request(Village, Numbers(3), "second", idempotencyKey: key));

        Assert.False(first.IsReplay);
        Assert.True(again.IsReplay);
        Assert.Equal("first", again.SubmissionId);
    }

    [Fact]
    public async Task The_same_submission_arriving_twice_is_its_own_first_acceptance_not_a_replay()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var request = Request(Village, Numbers(4), "only");

        var first = await store.MergeAsync(request);
        var retried = await store.MergeAsync(request);

        Assert.False(first.IsReplay);
        Assert.False(retried.IsReplay);
        Assert.Equal("only", retried.SubmissionId);
    }

    [Fact]
    public async Task Reading_many_orgs_for_some_fields_returns_only_those_fields()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(40), "v"));
        await store.MergeAsync(Request(Neighbour, Numbers(40, seed: 1), "n"));

        var read = new List<OrgValues>();
        await foreach (var values in store.ReadManyAsync(November, [Village, Neighbour], ["F0003", "F0017", "F0039"]))
        {
            read.Add(values);
        }

        Assert.Equal(new[] { Village, Neighbour }.Order(StringComparer.Ordinal), read.Select(r => r.OrgCode).Order(StringComparer.Ordinal));
        Assert.All(read, r => Assert.Equal(["F0003", "F0017", "F0039"], r.Values.Keys.Order(StringComparer.Ordinal)));
        Assert.Equal("21", read.Single(r => r.OrgCode == Village).Values["F0003"].Value.Canonical);
    }

    [Fact]
    public async Task Returning_to_earlier_content_is_applied_not_replayed()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(5), "a"));
        await store.MergeAsync(Request(Village, Numbers(5, seed: 1), "b"));

        var back = await store.MergeAsync(Request(Village, Numbers(5), "c"));

        Assert.False(back.IsReplay);
        Assert.Equal(5, back.Changed);
        Assert.Equal("7", (await store.GetAsync(Village, November)).Values["F0001"].Value.Canonical);
    }

    [Fact]
    public async Task Only_changed_values_are_written()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var values = Numbers(400);
        await store.MergeAsync(Request(Village, values, "first"));
        var edited = new Dictionary<string, FieldValue>(values) { ["F0003"] = new(FieldType.Integer, "99999") };

        var receipt = await store.MergeAsync(Request(Village, edited, "second"));
        var stored = await store.GetAsync(Village, November);

        Assert.Equal(1, receipt.Changed);
        Assert.Equal(399, receipt.Unchanged);
        Assert.Equal(3, receipt.EntitiesWritten); // one value chunk, the audit entry, the latest receipt
        Assert.Equal(ValueOrigin.Corrected, stored.Values["F0003"].Origin);
        Assert.Equal("second", stored.Values["F0003"].SourceId);
        Assert.Equal("first", stored.Values["F0004"].SourceId);
    }

    [Fact]
    public async Task A_typed_value_that_differs_from_the_prefill_is_kept_and_flagged()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, new Dictionary<string, FieldValue>
        {
            ["households"] = new(FieldType.Integer, "120"),
            ["population"] = new(FieldType.Integer, "480"),
        }, "seed", ValueOrigin.Prefilled));

        var receipt = await store.MergeAsync(Request(Village, new Dictionary<string, FieldValue>
        {
            ["households"] = new(FieldType.Integer, "120"),
            ["population"] = new(FieldType.Integer, "502"),
        }, "village"));
        var stored = (await store.GetAsync(Village, November)).Values;

        Assert.Equal(1, receipt.ConfirmedPrefill);
        Assert.Equal(["population"], receipt.PrefillConflicts);
        Assert.Equal("502", stored["population"].Value.Canonical);
        Assert.Equal("480", stored["population"].ConflictsWithPrefill?.Canonical);
        Assert.Equal(ValueOrigin.Prefilled, stored["households"].Origin);
    }

    [Fact]
    public async Task A_prefill_never_overwrites_what_the_village_typed()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, new Dictionary<string, FieldValue> { ["elderly"] = new(FieldType.Integer, "61") }, "village"));

        var receipt = await store.MergeAsync(Request(Village, new Dictionary<string, FieldValue> { ["elderly"] = new(FieldType.Integer, "58") }, "seed", ValueOrigin.Prefilled));
        var stored = (await store.GetAsync(Village, November)).Values["elderly"];

        Assert.Equal(0, receipt.Changed);
        Assert.Equal("61", stored.Value.Canonical);
        Assert.Equal(ValueOrigin.Typed, stored.Origin);
        Assert.Equal("58", stored.ConflictsWithPrefill?.Canonical);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(1000)]
    public async Task Any_number_of_changed_fields_lands_in_one_read_and_one_transaction(int fields)
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var values = Numbers(fields);
        var before = table.Counters.Snapshot();

        var receipt = await store.MergeAsync(Request(Village, values));
        var spent = table.Counters.Snapshot() - before;
        var stored = await store.GetAsync(Village, November);

        Assert.Equal(fields, receipt.Changed);
        Assert.Equal(2, spent.RoundTrips);
        Assert.True(spent.RoundTrips <= (int)Math.Ceiling(receipt.EntitiesWritten / 100.0) + 2);
        Assert.Equal(values.Count, stored.Values.Count);
        Assert.All(values, v => Assert.Equal(v.Value, stored.Values[v.Key].Value));
    }

    [Fact]
    public async Task More_than_100_changed_entities_are_split_into_transactions_that_all_land()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table, new ValueStoreOptions { ChunkCount = 200 });
        var values = Numbers(1000);
        var before = table.Counters.Snapshot();

        var receipt = await store.MergeAsync(Request(Village, values));
        var spent = table.Counters.Snapshot() - before;

        Assert.True(receipt.EntitiesWritten > 100);
        Assert.Equal((int)Math.Ceiling(receipt.EntitiesWritten / 100.0) + 1, spent.RoundTrips);
        Assert.Equal(1000, (await store.GetAsync(Village, November)).Values.Count);
    }

    [Fact]
    public async Task Concurrent_writers_to_one_org_lose_nothing()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);

        var receipts = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(w => Task.Run(() => store.MergeAsync(Request(Village, Numbers(50, seed: w, firstField: w * 50), "writer" + w)))));
        var stored = await store.GetAsync(Village, November);
        var audit = await store.ReadAuditAsync(Village, November).ToListAsync();

        Assert.All(receipts, r => Assert.Equal(50, r.Changed));
        Assert.Equal(400, stored.Values.Count);
        Assert.All(Enumerable.Range(0, 8), w => Assert.Equal("writer" + w, stored.Values["F" + (w * 50).ToString("D4", System.Globalization.CultureInfo.InvariantCulture)].SourceId));
        Assert.Equal(8, audit.Count);
    }

    [Fact]
    public async Task The_audit_history_keeps_every_submission_newest_first_with_its_changes()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, new Dictionary<string, FieldValue> { ["a"] = new(FieldType.Text, "石桥"), ["b"] = new(FieldType.Integer, "1") }, "s1", at: Morning));
        await store.MergeAsync(Request(Village, new Dictionary<string, FieldValue> { ["a"] = new(FieldType.Text, "石桥"), ["b"] = new(FieldType.Integer, "2") }, "s2", at: Morning.AddHours(1)));

        var audit = await store.ReadAuditAsync(Village, November).ToListAsync();

        Assert.Equal(["s2", "s1"], audit.Select(a => a.SubmissionId));
        Assert.Equal([new ValueChange("b", "1", "2")], audit[0].Changes);
        Assert.Equal("石桥", audit[0].NormalisedValues["a"]);
        Assert.Equal(2, audit[1].Changes.Count);
    }

    [Fact]
    public async Task Reading_many_orgs_returns_each_org_with_values_once_and_skips_the_rest()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.MergeAsync(Request(Village, Numbers(20)));
        await store.MergeAsync(Request(Neighbour, Numbers(30)));
        await store.MergeAsync(Request(OtherDistrict, Numbers(40)));
        var many = Enumerable.Range(1, 20).Select(i => "500103001" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).Append(OtherDistrict).ToList();

        var read = await store.ReadManyAsync(November, many).ToListAsync();
        var few = await store.ReadManyAsync(November, [Village, "500103009009"]).ToListAsync();
        var receipts = await store.ReadLatestReceiptsAsync(November, many).ToListAsync();

        Assert.Equal([(Village, 20), (Neighbour, 30), (OtherDistrict, 40)], read.Select(o => (o.OrgCode, o.Values.Count)));
        Assert.Equal([Village], few.Select(o => o.OrgCode));
        Assert.Equal(3, receipts.Count);
        Assert.Equal(40, receipts.Single(r => r.OrgCode == OtherDistrict).Changed);
    }

    [Fact]
    public async Task Quotes_and_Chinese_text_in_values_and_keys_are_stored_as_sent()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var values = new Dictionary<string, FieldValue> { ["note.text"] = new(FieldType.Text, "村'委会 \"说明\" | 备注") };

        await store.MergeAsync(Request(Village, values, "提交'1", idempotencyKey: "键'/#?1"));
        await store.MergeAsync(Request(Village, Numbers(1), "between"));
        var replay = await store.MergeAsync(Request(Village, values, "other", idempotencyKey: "键'/#?1"));

        Assert.Equal("村'委会 \"说明\" | 备注", (await store.GetAsync(Village, November)).Values["note.text"].Value.Canonical);
        Assert.True(replay.IsReplay);
        Assert.Equal("提交'1", replay.SubmissionId);
    }

    [Fact]
    public async Task The_audit_follows_commit_order_when_a_request_that_arrived_earlier_commits_later()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var field = new Dictionary<string, FieldValue> { ["F0000"] = new(FieldType.Integer, "1") };
        var stalled = new Dictionary<string, FieldValue> { ["F0000"] = new(FieldType.Integer, "2") };

        var quick = await store.MergeAsync(Request(Village, field, "quick", at: Morning.AddMinutes(1)));
        var slow = await store.MergeAsync(Request(Village, stalled, "slow", at: Morning));
        var stored = (await store.GetAsync(Village, November)).Values["F0000"];
        var audit = await store.ReadAuditAsync(Village, November).ToListAsync();

        Assert.Equal(["slow", "quick"], audit.Select(a => a.SubmissionId));
        Assert.Equal("slow", stored.SourceId);
        Assert.True(slow.CommittedAt > quick.CommittedAt);
        Assert.Equal(slow.CommittedAt, stored.At);
        Assert.Equal(slow.CommittedAt, audit[0].CommittedAt);
        Assert.Equal(Morning, slow.ReceivedAt);
    }

    [Fact]
    public async Task Concurrent_writers_to_one_field_leave_an_audit_in_commit_order_with_the_last_writer_newest()
    {
        await using var table = await azurite.CreateTableAsync();
        // The clock stands still: commit times must still strictly increase, in the order the ETags allowed the commits.
        var store = new TableFieldValueStore(table.Client, NullLogger<TableFieldValueStore>.Instance, new FakeTimeProvider(Morning));
        const int writers = 8;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => store.MergeAsync(Request(
            Village,
            new Dictionary<string, FieldValue> { ["F0000"] = new(FieldType.Integer, (100 + w).ToString(System.Globalization.CultureInfo.InvariantCulture)) },
            "writer" + w,
            // Arrival times run against any likely commit order.
            at: Morning.AddSeconds(-w))))));
        var stored = (await store.GetAsync(Village, November)).Values["F0000"];
        var audit = await store.ReadAuditAsync(Village, November).ToListAsync();

        Assert.Equal(writers, audit.Count);
        Assert.Equal(stored.SourceId, audit[0].SubmissionId);
        Assert.Equal(stored.Value.Canonical, audit[0].Changes.Single().After);
        Assert.Equal(stored.At, audit[0].CommittedAt);
        // Newest first, strictly: and each entry changed what the one committed before it had written.
        Assert.All(audit.Zip(audit.Skip(1)), pair =>
        {
            Assert.True(pair.First.CommittedAt > pair.Second.CommittedAt);
            Assert.Equal(pair.Second.Changes.Single().After, pair.First.Changes.Single().Before);
        });
        Assert.Null(audit[^1].Changes.Single().Before);
    }
}
