using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Tests.Governance;

public sealed class ApprovalRulesTests
{
    private static readonly Period November = new(PeriodKind.Month, 2026, 11);
    private static readonly Org District = new("500103000000", "渝中区", OrgLevel.District, "500100000000");
    private static readonly Org Township = new("500103001000", "七星岗街道", OrgLevel.Township, District.Code);
    private static readonly Org VillageA = new("500103001001", "金汤街社区", OrgLevel.Village, Township.Code);
    private static readonly Org VillageB = new("500103001002", "通远门社区", OrgLevel.Village, Township.Code);

    private static bool Above(string ancestor, string code) => (ancestor, code) switch
    {
        ("500103000000", not "500103000000") => true,
        ("500103001000", "500103001001" or "500103001002") => true,
        _ => false,
    };

    private static ApprovalRecord Approved(Org org) => new(org.Code, November, ApprovalStatus.Approved, "审核员", "500103001000", DateTimeOffset.UnixEpoch, null);

    private static ApprovalContext Township_(ApprovalRecord? a, ApprovalRecord? b, ApprovalRecord? current = null) =>
        new(Township, current, null, [(VillageA, a), (VillageB, b)], VillageHasReported: false);

    [Fact]
    public void An_office_cannot_approve_its_org_while_a_child_is_not_approved_and_names_the_child()
    {
        var decision = ApprovalRules.Decide(ApprovalAction.Approve, District.Code, Township_(Approved(VillageA), null), null, Above);

        Assert.Equal(ApprovalRefusal.Conflict, decision.Refusal);
        Assert.Contains(VillageB.Name, decision.Message);
        Assert.DoesNotContain(VillageA.Name, decision.Message);
    }

    [Fact]
    public void Once_every_child_is_approved_the_office_itself_or_its_parent_may_approve_it()
    {
        var context = Township_(Approved(VillageA), Approved(VillageB));

        Assert.True(ApprovalRules.Decide(ApprovalAction.Approve, Township.Code, context, null, Above).IsAllowed);
        Assert.True(ApprovalRules.Decide(ApprovalAction.Approve, District.Code, context, null, Above).IsAllowed);
    }

    [Fact]
    public void A_village_is_approved_by_an_upper_level_only_and_only_after_it_reported()
    {
        ApprovalContext Village(bool reported) => new(VillageA, null, null, [], reported);

        Assert.Equal(ApprovalRefusal.NotReviewer, ApprovalRules.Decide(ApprovalAction.Approve, VillageA.Code, Village(true), null, Above).Refusal);
        Assert.Equal(ApprovalRefusal.Conflict, ApprovalRules.Decide(ApprovalAction.Approve, Township.Code, Village(false), null, Above).Refusal);
        Assert.True(ApprovalRules.Decide(ApprovalAction.Approve, Township.Code, Village(true), null, Above).IsAllowed);
    }

    [Fact]
    public void Approving_an_approved_village_again_is_the_same_approval_but_still_only_for_a_reviewer()
    {
        var approved = new ApprovalContext(VillageA, Approved(VillageA), null, [], true);

        var again = ApprovalRules.Decide(ApprovalAction.Approve, Township.Code, approved, null, Above);

        Assert.True(again.IsAllowed);
        Assert.True(again.AlreadyDone);
        Assert.False(ApprovalRules.Decide(ApprovalAction.Approve, Township.Code, approved with { Current = null }, null, Above).AlreadyDone);
        Assert.Equal(ApprovalRefusal.NotReviewer, ApprovalRules.Decide(ApprovalAction.Approve, VillageB.Code, approved, null, Above).Refusal);
    }

    [Fact]
    public void Return_and_unlock_need_a_reason_and_unlock_waits_for_the_parent_to_be_unlocked()
    {
        var locked = new ApprovalContext(VillageA, Approved(VillageA), null, [], true);
        var parentLocked = locked with { Parent = Approved(Township) };

        Assert.Equal(ApprovalRefusal.ReasonMissing, ApprovalRules.Decide(ApprovalAction.Unlock, Township.Code, locked, " ", Above).Refusal);
        Assert.Equal(ApprovalRefusal.Conflict, ApprovalRules.Decide(ApprovalAction.Return, Township.Code, locked, "有误", Above).Refusal);
        Assert.Equal(ApprovalRefusal.Conflict, ApprovalRules.Decide(ApprovalAction.Unlock, Township.Code, parentLocked, "有误", Above).Refusal);
        Assert.True(ApprovalRules.Decide(ApprovalAction.Unlock, Township.Code, locked, "有误", Above).IsAllowed);
        Assert.Equal(ApprovalRefusal.NotReviewer, ApprovalRules.Decide(ApprovalAction.Unlock, VillageA.Code, locked, "有误", Above).Refusal);
    }
}
