using ReportPipeline.Application.Auth;
using static ReportPipeline.Application.Tests.Auth.FakeOrgHierarchy;

namespace ReportPipeline.Application.Tests.Auth;

public sealed class AccessPolicyTests
{
    public enum Relation
    {
        SameOrg,
        Descendant,
        Ancestor,
        Sibling,
        Unrelated,
    }

    private readonly AccessPolicy _policy = new(new FakeOrgHierarchy());

    /// <summary>The caller sits at a township; each relation names one target org from its point of view.</summary>
    private static string Target(Relation relation) => relation switch
    {
        Relation.SameOrg => Township,
        Relation.Descendant => Village,
        Relation.Ancestor => District,
        Relation.Sibling => SiblingTownship,
        Relation.Unrelated => UnrelatedTownship,
        _ => throw new ArgumentOutOfRangeException(nameof(relation)),
    };

    /// <summary>
    /// The expected table, written out by hand. Each string lists, for the relations
    /// same org / descendant / ancestor / sibling / unrelated, A (allowed) or F (forbidden).
    /// </summary>
    private static readonly (CallerRoles Role, ApiAction Action, string Expected)[] s_table =
    [
        (CallerRoles.Submitter, ApiAction.ReadCatalog, "AAAAA"),
        (CallerRoles.Submitter, ApiAction.ReadForm, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.Submit, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadValues, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadStatus, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadReport, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.BuildReport, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadBurden, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.PostFeedback, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.CheckTemplateDesign, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadQuality, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadApproval, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.Approve, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadHistory, "AFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadSeries, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.PushPrefill, "FFFFF"),
        (CallerRoles.Submitter, ApiAction.ReadAccessLog, "FFFFF"),

        (CallerRoles.Viewer, ApiAction.ReadCatalog, "AAAAA"),
        (CallerRoles.Viewer, ApiAction.ReadForm, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.Submit, "FFFFF"),
        (CallerRoles.Viewer, ApiAction.ReadValues, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.ReadStatus, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.ReadReport, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.BuildReport, "FFFFF"),
        (CallerRoles.Viewer, ApiAction.ReadBurden, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.PostFeedback, "FFFFF"),
        (CallerRoles.Viewer, ApiAction.CheckTemplateDesign, "FFFFF"),
        (CallerRoles.Viewer, ApiAction.ReadQuality, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.ReadApproval, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.Approve, "FFFFF"),
        (CallerRoles.Viewer, ApiAction.ReadHistory, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.ReadSeries, "AAFFF"),
        (CallerRoles.Viewer, ApiAction.PushPrefill, "FFFFF"),
        (CallerRoles.Viewer, ApiAction.ReadAccessLog, "FFFFF"),

        (CallerRoles.Admin, ApiAction.ReadCatalog, "AAAAA"),
        (CallerRoles.Admin, ApiAction.ReadForm, "AAFFF"),
        (CallerRoles.Admin, ApiAction.Submit, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadValues, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadStatus, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadReport, "AAFFF"),
        (CallerRoles.Admin, ApiAction.BuildReport, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadBurden, "AAFFF"),
        (CallerRoles.Admin, ApiAction.PostFeedback, "AFFFF"),
        (CallerRoles.Admin, ApiAction.CheckTemplateDesign, "AAAAA"),
        (CallerRoles.Admin, ApiAction.ReadQuality, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadApproval, "AAFFF"),
        (CallerRoles.Admin, ApiAction.Approve, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadHistory, "AAFFF"),
        (CallerRoles.Admin, ApiAction.ReadSeries, "AAFFF"),
        (CallerRoles.Admin, ApiAction.PushPrefill, "AAAAA"),
        (CallerRoles.Admin, ApiAction.ReadAccessLog, "AAFFF"),
    ];

    public static TheoryData<CallerRoles, Relation, ApiAction, bool> Matrix()
    {
        var data = new TheoryData<CallerRoles, Relation, ApiAction, bool>();
        foreach (var (role, action, expected) in s_table)
        {
            for (var i = 0; i < expected.Length; i++)
            {
                data.Add(role, (Relation)i, action, expected[i] == 'A');
            }
        }

        return data;
    }

    [Fact]
    public void The_table_covers_every_role_and_action()
    {
        var roles = new[] { CallerRoles.Submitter, CallerRoles.Viewer, CallerRoles.Admin };

        Assert.Equal(roles.Length * Enum.GetValues<ApiAction>().Length, s_table.Distinct().Count());
        Assert.All(s_table, row => Assert.Equal(Enum.GetValues<Relation>().Length, row.Expected.Length));
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Access_follows_the_role_and_the_org_relation(CallerRoles role, Relation relation, ApiAction action, bool allowed)
    {
        var caller = new CallerIdentity("u", Township, role, null);

        var decision = _policy.Decide(caller, action, Target(relation));

        Assert.Equal(allowed ? AccessOutcome.Allowed : AccessOutcome.Forbidden, decision.Outcome);
    }

    [Theory]
    [InlineData("gaj", true)]
    [InlineData("mz", false)]
    [InlineData(null, false)]
    public void Only_a_caller_of_the_department_itself_acts_for_it(string? dept, bool allowed)
    {
        var caller = new CallerIdentity("u", Township, CallerRoles.Admin, dept);

        var decision = AccessPolicy.DecideDepartment(caller, "gaj");

        Assert.Equal(allowed, decision.IsAllowed);
        Assert.True(allowed || decision.Reason.Contains("不能以部门“gaj”的名义下发数据", StringComparison.Ordinal), decision.Reason);
    }

    [Fact]
    public void A_department_caller_sees_its_templates_and_the_fields_they_read_or_it_owns_and_a_caller_without_one_is_not_narrowed()
    {
        var bundle = ReportPipeline.Storage.Files.FileCatalogSource.Shipped.LoadBundle();

        var view = AccessPolicy.ViewOf(new CallerIdentity("u", Township, CallerRoles.Viewer, "mz"), bundle)!;

        Assert.Null(AccessPolicy.ViewOf(new CallerIdentity("u", Township, CallerRoles.Viewer, null), bundle));
        Assert.Equal(["mz_dibao_monthly", "mz_elderly_care_yearly"], view.Templates.Order(StringComparer.Ordinal));
        Assert.True(view.MayReadField("pop_registered")); // read by 低保月报 (保障面's denominator), owned by 公安局
        Assert.True(view.MayReadField("dibao_households"));
        Assert.Contains(bundle.Catalog.Fields, f => !view.MayReadField(f.Id));
        Assert.False(view.DecideTemplate("gaj_population_monthly", "户籍人口月报").IsAllowed);
    }

    [Fact]
    public void A_viewer_reading_outside_its_subtree_is_told_why_in_chinese()
    {
        var caller = new CallerIdentity("u", Village, CallerRoles.Viewer, null);

        var decision = _policy.Decide(caller, ApiAction.ReadValues, SiblingTownship);

        Assert.Equal(AccessOutcome.Forbidden, decision.Outcome);
        Assert.Equal($"无权访问该单位数据：令牌所属单位 {Village} 不是 {SiblingTownship} 的上级或本级。", decision.Reason);
    }

    [Fact]
    public void A_submitter_writing_another_org_is_told_it_may_only_write_its_own()
    {
        var caller = new CallerIdentity("u", Village, CallerRoles.Submitter, null);

        var decision = _policy.Decide(caller, ApiAction.Submit, SiblingVillage);

        Assert.Equal(AccessOutcome.Forbidden, decision.Outcome);
        Assert.Contains("只能操作本单位", decision.Reason);
    }

    [Fact]
    public void A_role_that_never_allows_the_action_names_the_roles_that_would()
    {
        var caller = new CallerIdentity("u", Township, CallerRoles.Viewer, null);

        var decision = _policy.Decide(caller, ApiAction.BuildReport, Township);

        Assert.Contains("管理员（admin）", decision.Reason);
        Assert.Contains("查看员（viewer）", decision.Reason);
    }

    [Fact]
    public void Ancestry_comes_from_the_registry_not_from_code_prefixes()
    {
        var township = new CallerIdentity("u", Township, CallerRoles.Viewer, null);
        var sibling = new CallerIdentity("u", SiblingTownship, CallerRoles.Viewer, null);

        Assert.Equal(AccessOutcome.Forbidden, _policy.Decide(township, ApiAction.ReadValues, MovedVillage).Outcome);
        Assert.Equal(AccessOutcome.Allowed, _policy.Decide(sibling, ApiAction.ReadValues, MovedVillage).Outcome);
    }

    [Fact]
    public void The_city_sees_every_org()
    {
        var city = new CallerIdentity("u", City, CallerRoles.Viewer, null);

        Assert.All([City, District, Township, Village, MovedVillage, UnrelatedTownship],
            org => Assert.True(_policy.Decide(city, ApiAction.ReadReport, org).IsAllowed));
    }

    [Fact]
    public void Several_roles_give_the_union_of_their_rights()
    {
        var caller = new CallerIdentity("u", Township, CallerRoles.Submitter | CallerRoles.Viewer, null);

        Assert.True(_policy.Decide(caller, ApiAction.ReadReport, Village).IsAllowed);
        Assert.True(_policy.Decide(caller, ApiAction.Submit, Township).IsAllowed);
        Assert.False(_policy.Decide(caller, ApiAction.Submit, Village).IsAllowed);
    }

    [Fact]
    public void An_unknown_org_below_a_non_root_caller_is_forbidden_so_existence_does_not_leak()
    {
        var caller = new CallerIdentity("u", Township, CallerRoles.Admin, null);

        var decision = _policy.Decide(caller, ApiAction.ReadValues, "500103001777");

        Assert.Equal(AccessOutcome.Forbidden, decision.Outcome);
    }

    [Fact]
    public void An_unknown_org_is_not_found_for_a_caller_at_the_root()
    {
        var caller = new CallerIdentity("u", City, CallerRoles.Viewer, null);

        var decision = _policy.Decide(caller, ApiAction.ReadValues, "500103001777");

        Assert.Equal(AccessOutcome.NotFound, decision.Outcome);
        Assert.Contains("500103001777", decision.Reason);
    }

    [Fact]
    public void An_unknown_org_is_forbidden_to_a_root_submitter_who_could_not_write_it_anyway()
    {
        var caller = new CallerIdentity("u", City, CallerRoles.Submitter, null);

        Assert.Equal(AccessOutcome.Forbidden, _policy.Decide(caller, ApiAction.Submit, "500103001777").Outcome);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("%2F")]
    [InlineData("50010300100")]
    [InlineData("5001030010011")]
    [InlineData("50010300100x")]
    [InlineData("")]
    [InlineData(null)]
    public void A_malformed_org_code_is_not_found(string? target)
    {
        var caller = new CallerIdentity("u", Township, CallerRoles.Viewer, null);

        var decision = _policy.Decide(caller, ApiAction.ReadForm, target);

        Assert.Equal(AccessOutcome.NotFound, decision.Outcome);
        Assert.Contains("12位", decision.Reason);
    }

    [Fact]
    public void A_caller_whose_org_is_not_in_the_registry_is_forbidden_even_for_its_own_code()
    {
        var caller = new CallerIdentity("u", "500199001001", CallerRoles.Submitter, null);

        var decision = _policy.Decide(caller, ApiAction.Submit, "500199001001");

        Assert.Equal(AccessOutcome.Forbidden, decision.Outcome);
        Assert.Contains("不在单位名录中", decision.Reason);
    }

    [Fact]
    public void An_admin_whose_org_is_not_in_the_registry_may_not_check_a_template_design()
    {
        var caller = new CallerIdentity("u", "500199001001", CallerRoles.Admin, null);

        var decision = _policy.Decide(caller, ApiAction.CheckTemplateDesign, null);

        Assert.Equal(AccessOutcome.Forbidden, decision.Outcome);
        Assert.Contains("不在单位名录中", decision.Reason);
    }

    [Fact]
    public void The_catalog_is_readable_by_any_authenticated_caller_without_a_target()
    {
        var caller = new CallerIdentity("u", "500199001001", CallerRoles.Submitter, null);

        Assert.True(_policy.Decide(caller, ApiAction.ReadCatalog, null).IsAllowed);
    }
}
