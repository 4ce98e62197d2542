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
    private const string Township = "500103001000";
    private const string Village = "500103001001";
    private const string Neighbour = "500103001002";

    private static TableApprovalStore Store(TemporaryTable table) => new(table.Client, NullLogger<TableApprovalStore>.Instance);

    private static ApprovalEvent Step(string org, ApprovalAction action, string by, int minute, string? reason = null) =>
        new(org, November, action, by, Township, Morning.AddMinutes(minute), reason);

    [Fact]
    public async Task Two_steps_taken_on_the_same_read_cannot_both_commit()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var snapshot = await store.ReadAsync(November);

        await store.CommitAsync(snapshot, Step(Village, ApprovalAction.Approve, "甲", 1), Township);
        var loser = await Assert.ThrowsAsync<ApprovalConcurrencyException>(() => store.CommitAsync(snapshot, Step(Village, ApprovalAction.Return, "乙", 2, "理由"), Township));

        Assert.Equal(Village, loser.OrgCode);
        var record = await store.GetAsync(Village, November);
        Assert.Equal(ApprovalStatus.Approved, record!.Status);
        Assert.Equal("甲", record.BySubject);
        Assert.Single(await store.ReadEventsAsync(November, [Village]));
    }

    [Fact]
    public async Task A_step_on_a_parent_read_before_a_childs_step_committed_is_refused()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        var parentRead = await store.ReadAsync(November);

        // A child changed after the parent's reviewer read the children: the parent's guard no longer matches.
        await store.CommitAsync(await store.ReadAsync(November), Step(Village, ApprovalAction.Return, "甲", 1, "重填"), Township);

        await Assert.ThrowsAsync<ApprovalConcurrencyException>(() => store.CommitAsync(parentRead, Step(Township, ApprovalAction.Approve, "乙", 2), "500103000000"));
        Assert.Null(await store.GetAsync(Township, November));
    }

    [Fact]
    public async Task Every_step_is_kept_newest_first_with_who_when_and_why()
    {
        await using var table = await azurite.CreateTableAsync();
        var store = Store(table);
        await store.CommitAsync(await store.ReadAsync(November), Step(Village, ApprovalAction.Approve, "甲", 1), Township);
        await store.CommitAsync(await store.ReadAsync(November), Step(Neighbour, ApprovalAction.Return, "乙", 2, "缺数"), Township);
        await store.CommitAsync(await store.ReadAsync(November), Step(Village, ApprovalAction.Unlock, "丙", 3, "更正人口数"), Township);

        var events = await store.ReadEventsAsync(November, [Village]);
        var snapshot = await store.ReadAsync(November);

        Assert.Equal([ApprovalAction.Unlock, ApprovalAction.Approve], events.Select(e => e.Action));
        Assert.Equal(("丙", "更正人口数", Morning.AddMinutes(3)), (events[0].BySubject, events[0].Reason, events[0].At));
        Assert.Equal(ApprovalStatus.Unlocked, snapshot.Find(Village)!.Status);
        Assert.Equal(ApprovalStatus.Returned, snapshot.Find(Neighbour)!.Status);
        Assert.Equal("缺数", snapshot.Find(Neighbour)!.Reason);
    }

    [Fact]
    public async Task The_sender_is_kept_in_the_audit_entry_and_entries_without_it_still_read()
    {
        await using var table = await azurite.CreateTableAsync();
        var values = new TableFieldValueStore(table.Client, NullLogger<TableFieldValueStore>.Instance, TimeProvider.System);
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
}
