using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;
using static ReportPipeline.Storage.Tests.Stores.Submissions;

namespace ReportPipeline.Storage.Tests.Stores;

[Collection(AzuriteFixture.CollectionName)]
public sealed class TableApprovalStoreTests(AzuriteFixture azurite)
{
    private const string District = "500103000000";
    private const string Township = "500103001000";
    private const string Village = "500103001001";
    private const string Neighbour = "500103001002";

    private readonly FakeTimeProvider _clock = new(Morning);

    private TableApprovalStore Approvals(TemporaryTable table) => new(table.Client, NullLogger<TableApprovalStore>.Instance, _clock);

    private TableFieldValueStore Values(TemporaryTable table) => new(table.Client, NullLogger<TableFieldValueStore>.Instance, _clock);

    private static ApprovalEvent Step(string org, ApprovalAction action, string by, string? reason = null) =>
        new(org, November, action, by, Township, Morning, reason);

    private static Task<ApprovalSnapshot> ReadAsync(IApprovalStore store) => store.ReadAsync(November, [District, Township, Village, Neighbour]);

    [Fact]
    public async Task Two_steps_taken_on_the_same_read_cannot_both_commit()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        await Values(table).MergeAsync(Request(Village, Numbers(3)));
        var snapshot = await ReadAsync(store);

        await store.CommitAsync(snapshot, Step(Village, ApprovalAction.Approve, "甲"), Township);
        var loser = await Assert.ThrowsAsync<ApprovalConcurrencyException>(() => store.CommitAsync(snapshot, Step(Village, ApprovalAction.Return, "乙", "理由"), Township));

        Assert.Equal(Village, loser.OrgCode);
        var record = await store.GetAsync(Village, November);
        Assert.Equal(ApprovalStatus.Approved, record!.Status);
        Assert.Equal("甲", record.BySubject);
        Assert.Single(await store.ReadEventsAsync(November, [Village]));
    }

    [Fact]
    public async Task Two_approvals_on_the_same_read_are_one_approval_and_the_village_stays_locked()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        var values = Values(table);
        await values.MergeAsync(Request(Village, Numbers(3)));
        var snapshot = await ReadAsync(store);

        var first = await store.CommitAsync(snapshot, Step(Village, ApprovalAction.Approve, "甲"), Township);
        var second = await store.CommitAsync(snapshot, Step(Village, ApprovalAction.Approve, "乙"), Township);

        Assert.Equal(first, second);
        Assert.Single(await store.ReadEventsAsync(November, [Village]));
        var refused = await Assert.ThrowsAsync<OrgLockedException>(() => values.MergeAsync(Request(Village, Numbers(3, seed: 1))));
        Assert.Equal(first, refused.Approval);
    }

    [Fact]
    public async Task Steps_on_sibling_villages_taken_on_one_read_all_commit()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        var values = Values(table);
        await values.MergeAsync(Request(Village, Numbers(3)));
        await values.MergeAsync(Request(Neighbour, Numbers(3)));
        var snapshot = await ReadAsync(store);

        await Task.WhenAll(
            store.CommitAsync(snapshot, Step(Village, ApprovalAction.Approve, "甲"), Township),
            store.CommitAsync(snapshot, Step(Neighbour, ApprovalAction.Approve, "甲"), Township));

        var after = await ReadAsync(store);
        Assert.True(after.Find(Village)!.IsLocked);
        Assert.True(after.Find(Neighbour)!.IsLocked);
    }

    [Fact]
    public async Task An_approval_is_recorded_after_every_commit_it_covers_and_no_merge_commits_after_it()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        var values = Values(table);
        await values.MergeAsync(Request(Village, Numbers(3)));
        var snapshot = await ReadAsync(store);
        // A merge commits after the reviewer read the state: the approval still commits, after it, covering it.
        var late = await values.MergeAsync(Request(Village, Numbers(3, seed: 1)));

        var approval = await store.CommitAsync(snapshot, Step(Village, ApprovalAction.Approve, "甲"), Township);

        Assert.True(approval.At > late.CommittedAt, $"{approval.At:O} after {late.CommittedAt:O}");
        var before = table.Counters.Snapshot();
        await Assert.ThrowsAsync<OrgLockedException>(() => values.MergeAsync(Request(Village, Numbers(3, seed: 2))));
        Assert.Equal(0, (table.Counters.Snapshot() - before).EntitiesWritten);

        // The receipt survives on the row it shares with the review state, and after an unlock the next commit is later still.
        Assert.Equal(late.SubmissionId, (await values.ReadLatestReceiptsAsync(November, [Village]).SingleAsync()).SubmissionId);
        var unlock = await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Unlock, "乙", "更正"), Township);
        var next = await values.MergeAsync(Request(Village, Numbers(3, seed: 2)));
        Assert.True(next.CommittedAt > unlock.At);
        Assert.Equal(ApprovalStatus.Unlocked, (await store.GetAsync(Village, November))!.Status);
    }

    [Fact]
    public async Task A_parents_approval_read_before_a_childs_unlock_committed_is_refused()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        await Values(table).MergeAsync(Request(Village, Numbers(3)));
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Approve, "甲"), Township);
        var parentRead = await ReadAsync(store);

        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Unlock, "乙", "重填"), Township);

        await Assert.ThrowsAsync<ApprovalConcurrencyException>(() => store.CommitAsync(parentRead, Step(Township, ApprovalAction.Approve, "丙"), District));
        Assert.Null(await store.GetAsync(Township, November));
    }

    [Fact]
    public async Task An_unlock_that_announced_itself_and_never_committed_strands_nothing()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        var values = Values(table);
        await values.MergeAsync(Request(Village, Numbers(3)));
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Approve, "甲"), Township);
        // An unlock announced on the township's row, then its process stopped before the village's row changed.
        var read = await ReadAsync(store);
        var abandoned = new TableEntity(ValueKeys.Partition(November, Township), ValueKeys.LatestReceipt(Township)) { ["Unlocking" + Village] = "abandoned-step" };
        await table.Client.UpsertEntityAsync(abandoned, TableUpdateMode.Merge);

        // The township's approval, decided on a read that saw the announcement, cancels it and commits.
        var township = await store.CommitAsync(await ReadAsync(store), Step(Township, ApprovalAction.Approve, "丙"), District);

        Assert.True(township.IsLocked);
        Assert.True((await store.GetAsync(Village, November))!.IsLocked);
        await Assert.ThrowsAsync<OrgLockedException>(() => values.MergeAsync(Request(Village, Numbers(3, seed: 1))));
        // An approval decided before that is the same approval.
        Assert.Equal(township, await store.CommitAsync(read, Step(Township, ApprovalAction.Approve, "丁"), District));
        // The village can be unlocked once its township is unlocked.
        await store.CommitAsync(await ReadAsync(store), Step(Township, ApprovalAction.Unlock, "戊", "更正"), District);
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Unlock, "戊", "更正"), Township);
        Assert.False((await store.GetAsync(Village, November))!.IsLocked);
    }

    [Fact]
    public async Task An_unlock_whose_parent_was_approved_after_the_read_is_refused_and_the_village_stays_locked()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        await Values(table).MergeAsync(Request(Village, Numbers(3)));
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Approve, "甲"), Township);
        var unlockRead = await ReadAsync(store);

        await store.CommitAsync(await ReadAsync(store), Step(Township, ApprovalAction.Approve, "乙"), District);

        await Assert.ThrowsAsync<ApprovalConcurrencyException>(() => store.CommitAsync(unlockRead, Step(Village, ApprovalAction.Unlock, "丙", "更正"), Township));
        Assert.True((await store.GetAsync(Village, November))!.IsLocked);
        Assert.True((await store.GetAsync(Township, November))!.IsLocked);
    }

    [Fact]
    public async Task Every_step_is_kept_newest_first_with_who_when_and_why()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        await Values(table).MergeAsync(Request(Village, Numbers(3)));
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Approve, "甲"), Township);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await store.CommitAsync(await ReadAsync(store), Step(Neighbour, ApprovalAction.Return, "乙", "缺数"), Township);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Unlock, "丙", "更正人口数"), Township);

        var events = await store.ReadEventsAsync(November, [Village]);
        var snapshot = await ReadAsync(store);

        Assert.Equal([ApprovalAction.Unlock, ApprovalAction.Approve], events.Select(e => e.Action));
        Assert.Equal(("丙", "更正人口数", Morning.AddMinutes(2)), (events[0].BySubject, events[0].Reason, events[0].At));
        Assert.Equal(ApprovalStatus.Unlocked, snapshot.Find(Village)!.Status);
        Assert.Equal(ApprovalStatus.Returned, snapshot.Find(Neighbour)!.Status);
        Assert.Equal("缺数", snapshot.Find(Neighbour)!.Reason);
        // A village returned before it ever reported holds a review state and no receipt.
        Assert.Empty(await Values(table).ReadLatestReceiptsAsync(November, [Neighbour]).ToListAsync());
    }

    [Fact]
    public async Task The_sender_is_kept_in_the_audit_entry_and_entries_without_it_still_read()
    {
        await using var table = await azurite.CreateTableAsync();
        var values = Values(table);
        await values.MergeAsync(Request(Village, Numbers(3), "with-sender") with { Subject = "clerk-1", SubjectOrg = Township });
        await values.MergeAsync(Request(Village, Numbers(3, seed: 1), "without-sender"));

        var entries = new List<AuditEntry>();
        await foreach (var entry in values.ReadAuditAsync(Village, November))
        {
            entries.Add(entry);
        }

        var sent = Assert.Single(entries, e => e.SubmissionId == "with-sender");
        Assert.Equal(("clerk-1", Township), (sent.Subject, sent.SubjectOrg));
        var old = Assert.Single(entries, e => e.SubmissionId == "without-sender");
        Assert.Null(old.Subject);
        Assert.Null(old.SubjectOrg);
    }

    [Fact]
    public async Task The_latest_rows_read_finds_what_the_receipt_read_and_the_review_read_find_in_one_query_per_partition()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Approvals(table);
        var values = Values(table);
        const string Elsewhere = "500104001001";
        await values.MergeAsync(Request(Village, Numbers(3)));
        await values.MergeAsync(Request(Elsewhere, Numbers(3)));
        await store.CommitAsync(await ReadAsync(store), Step(Village, ApprovalAction.Approve, "甲"), Township);
        // A village returned before it reported: a review state and no receipt; an office: a review state only.
        await store.CommitAsync(await ReadAsync(store), Step(Neighbour, ApprovalAction.Return, "甲", "请补报"), Township);
        await store.CommitAsync(await ReadAsync(store), Step(Township, ApprovalAction.Return, "乙", "请核对") with { ByOrg = District }, District);
        string[] orgs = [District, Township, Village, Neighbour, "500103001003", "500103001004", Elsewhere];

        var before = table.Counters.Snapshot();
        var rows = await values.ReadLatestRowsAsync(November, orgs);
        var spent = table.Counters.Snapshot() - before;

        var receipts = await values.ReadLatestReceiptsAsync(November, orgs).ToDictionaryAsync(r => r.OrgCode, StringComparer.Ordinal);
        var reviews = (await store.ReadAsync(November, orgs)).Records;
        Assert.Equal(2, spent.RoundTrips);
        Assert.Equal([Village, Elsewhere], rows.Receipts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(receipts.Keys.Order(StringComparer.Ordinal), rows.Receipts.Keys.Order(StringComparer.Ordinal));
        Assert.All(receipts, r => Assert.Equal(System.Text.Json.JsonSerializer.Serialize(r.Value), System.Text.Json.JsonSerializer.Serialize(rows.Receipts[r.Key])));
        Assert.Equal([Township, Village, Neighbour], rows.ReviewStates.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(reviews.OrderBy(r => r.Key, StringComparer.Ordinal), rows.ReviewStates.OrderBy(r => r.Key, StringComparer.Ordinal));
    }
}
