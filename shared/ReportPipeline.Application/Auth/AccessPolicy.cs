using ReportPipeline.Domain.Catalog;

namespace ReportPipeline.Application.Auth;

/// <summary>What a route does, as far as access is concerned.</summary>
public enum ApiAction
{
    /// <summary><c>GET /api/catalog</c>: any authenticated caller; the target org is ignored.</summary>
    ReadCatalog,
    ReadForm,
    Submit,
    ReadValues,
    ReadStatus,
    ReadReport,
    BuildReport,
    ReadBurden,
    PostFeedback,
    /// <summary><c>POST /api/templates/check</c>: admins anywhere; it reads no org's data, so the target org is ignored.</summary>
    CheckTemplateDesign,
    /// <summary><c>GET orgs/{org}/quality/{period}</c>: the 数据质量 list of the org's subtree (viewers and admins of the org or an ancestor).</summary>
    ReadQuality,
    /// <summary><c>GET orgs/{org}/approval/{period}</c>: the review state of the subtree; a clerk reads its own (a return's reason).</summary>
    ReadApproval,
    /// <summary><c>POST orgs/{org}/approval/{period}</c>: approve, return or unlock; admins only, the chain's rules checked after.</summary>
    Approve,
    /// <summary><c>GET orgs/{org}/history/{period}</c>: every version of the org's values.</summary>
    ReadHistory,
    /// <summary><c>GET orgs/{org}/series/{field}</c>: a field over periods for the org and its children (viewers and admins of the org or an ancestor).</summary>
    ReadSeries,
    /// <summary>
    /// <c>POST departments/{dept}/prefill/{period}</c>: a department's admin pushes its values down to the villages of its
    /// org's subtree (带数下发); the department is checked by <see cref="AccessPolicy.DecideDepartment"/>, each row's org by the service.
    /// </summary>
    PushPrefill,
    /// <summary><c>GET access-log?org=</c>: who read which villages' data; admins of the org or an ancestor.</summary>
    ReadAccessLog,
}

public enum AccessOutcome
{
    Allowed,
    /// <summary>403.</summary>
    Forbidden,
    /// <summary>404: the org code is malformed, or unknown to a caller entitled to see every org.</summary>
    NotFound,
}

/// <summary>An access decision with the Chinese reason shown to the caller (and logged).</summary>
public sealed record AccessDecision(AccessOutcome Outcome, string Reason)
{
    public bool IsAllowed => Outcome == AccessOutcome.Allowed;

    public static AccessDecision Allow { get; } = new(AccessOutcome.Allowed, "允许访问。");

    public static AccessDecision Forbid(string reason) => new(AccessOutcome.Forbidden, reason);

    public static AccessDecision NotFound(string reason) => new(AccessOutcome.NotFound, reason);
}

/// <summary>
/// Who may do what to which org. Pure: no I/O, no clock; the org tree comes from <see cref="IOrgHierarchy"/>.
/// <list type="bullet">
/// <item><b>submitter</b>: its own org only — submit, post burden feedback, read its form, values and status.</item>
/// <item><b>viewer</b>: reads (form, values, status, report, burden) for its org and every descendant; never writes.</item>
/// <item><b>admin</b>: everything a viewer may, plus building reports and submitting on behalf of any org in its subtree
/// (an upper-level office enters numbers for a village that cannot, or corrects one). Burden feedback (下评上) is the
/// exception: an admin posts it only for its own org, because a rating of upper-level burden entered by the upper level
/// on a village's behalf would defeat its purpose.</item>
/// </list>
/// A caller holding several roles gets the union. Unknown target orgs: to avoid telling callers which org codes exist,
/// a caller whose org is not the root gets 403 for any code outside its visible subtree, known or not; only a caller at
/// the root (whose subtree is the whole registry, so nothing leaks) and whose role allows the action anywhere gets 404.
/// A code that is not 12 digits gets 404 from everyone, since its shape alone says it cannot exist.
/// </summary>
public sealed class AccessPolicy(IOrgHierarchy hierarchy)
{
    private enum Scope
    {
        Nowhere,
        OwnOrg,
        Subtree,
    }

    public AccessDecision Decide(CallerIdentity caller, ApiAction action, string? targetOrg)
    {
        ArgumentNullException.ThrowIfNull(caller);

        if (action == ApiAction.ReadCatalog)
        {
            return AccessDecision.Allow;
        }

        var scope = ScopeOf(caller.Roles, action);
        if (scope == Scope.Nowhere)
        {
            return AccessDecision.Forbid(
                $"无权{Describe(action)}：该操作需要{RequiredRoles(action)}角色，令牌中的角色为{RoleNames.Describe(caller.Roles)}。");
        }

        if (action is ApiAction.CheckTemplateDesign or ApiAction.PushPrefill)
        {
            // No org is read, but the token must still be one of the registry's units, as on every other route.
            return hierarchy.Exists(caller.OrgCode) ? AccessDecision.Allow : AccessDecision.Forbid(UnknownCallerOrg(caller));
        }

        if (!OrgCodes.IsWellFormed(targetOrg))
        {
            return AccessDecision.NotFound($"单位代码“{Shorten(targetOrg)}”格式不正确：应为12位行政区划代码。");
        }

        if (!hierarchy.Exists(caller.OrgCode))
        {
            return AccessDecision.Forbid(UnknownCallerOrg(caller));
        }

        if (!hierarchy.Exists(targetOrg))
        {
            return scope == Scope.Subtree && hierarchy.IsRoot(caller.OrgCode)
                ? AccessDecision.NotFound($"单位名录中没有单位代码 {targetOrg}。")
                : AccessDecision.Forbid(OutsideReason(caller, action, targetOrg));
        }

        var allowed = string.Equals(caller.OrgCode, targetOrg, StringComparison.Ordinal)
            || (scope == Scope.Subtree && hierarchy.IsSameOrAncestor(caller.OrgCode, targetOrg));

        return allowed ? AccessDecision.Allow : AccessDecision.Forbid(OutsideReason(caller, action, targetOrg));
    }

    private static string UnknownCallerOrg(CallerIdentity caller) => $"令牌所属单位 {caller.OrgCode} 不在单位名录中，无法访问任何单位数据。";

    /// <summary>The widest scope any of the caller's roles gives for the action.</summary>
    private static Scope ScopeOf(CallerRoles roles, ApiAction action)
    {
        var scope = Scope.Nowhere;
        if ((roles & CallerRoles.Submitter) != 0)
        {
            scope = Max(scope, action switch
            {
                ApiAction.Submit or ApiAction.PostFeedback or ApiAction.ReadForm or ApiAction.ReadValues or ApiAction.ReadStatus
                    or ApiAction.ReadApproval or ApiAction.ReadHistory => Scope.OwnOrg,
                _ => Scope.Nowhere,
            });
        }

        if ((roles & CallerRoles.Viewer) != 0)
        {
            scope = Max(scope, action switch
            {
                ApiAction.ReadForm or ApiAction.ReadValues or ApiAction.ReadStatus or ApiAction.ReadReport or ApiAction.ReadBurden
                    or ApiAction.ReadQuality or ApiAction.ReadApproval or ApiAction.ReadHistory or ApiAction.ReadSeries => Scope.Subtree,
                _ => Scope.Nowhere,
            });
        }

        if ((roles & CallerRoles.Admin) != 0)
        {
            scope = Max(scope, action == ApiAction.PostFeedback ? Scope.OwnOrg : Scope.Subtree);
        }

        return scope;
    }

    private static Scope Max(Scope a, Scope b) => a >= b ? a : b;

    private static string OutsideReason(CallerIdentity caller, ApiAction action, string targetOrg) =>
        ScopeOf(caller.Roles, action) == Scope.OwnOrg
            ? $"无权{Describe(action)}：令牌所属单位 {caller.OrgCode} 只能操作本单位，不能操作 {targetOrg}。"
            : $"无权访问该单位数据：令牌所属单位 {caller.OrgCode} 不是 {targetOrg} 的上级或本级。";

    private static string Describe(ApiAction action) => action switch
    {
        ApiAction.ReadCatalog => "查看指标目录",
        ApiAction.ReadForm => "下载填报表",
        ApiAction.Submit => "填报数据",
        ApiAction.ReadValues => "查看填报数据",
        ApiAction.ReadStatus => "查看填报进度",
        ApiAction.ReadReport => "下载汇总表",
        ApiAction.BuildReport => "生成汇总表",
        ApiAction.ReadBurden => "查看减负情况",
        ApiAction.PostFeedback => "提交下评上评价",
        ApiAction.CheckTemplateDesign => "检查报表设计",
        ApiAction.ReadQuality => "查看数据质量",
        ApiAction.ReadApproval => "查看审核状态",
        ApiAction.Approve => "审核数据",
        ApiAction.ReadHistory => "查看数据修改记录",
        ApiAction.ReadSeries => "查看指标趋势与对比",
        ApiAction.PushPrefill => "下发部门数据",
        ApiAction.ReadAccessLog => "查看数据访问记录",
        _ => action.ToString(),
    };

    private static string RequiredRoles(ApiAction action) => action switch
    {
        ApiAction.Submit or ApiAction.PostFeedback => RoleNames.Describe(CallerRoles.Submitter | CallerRoles.Admin),
        ApiAction.BuildReport or ApiAction.CheckTemplateDesign or ApiAction.Approve or ApiAction.PushPrefill or ApiAction.ReadAccessLog
            => RoleNames.Describe(CallerRoles.Admin),
        ApiAction.ReadReport or ApiAction.ReadBurden or ApiAction.ReadQuality or ApiAction.ReadSeries => RoleNames.Describe(CallerRoles.Viewer | CallerRoles.Admin),
        _ => RoleNames.Describe(CallerRoles.Submitter | CallerRoles.Viewer | CallerRoles.Admin),
    };

    /// <summary>
    /// Whether the caller acts for <paramref name="department"/> (a push of its data): its token must name that department.
    /// A caller of another department, or of none, cannot push a department's values.
    /// </summary>
    public static AccessDecision DecideDepartment(CallerIdentity caller, string department)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return string.Equals(caller.Dept, department, StringComparison.Ordinal)
            ? AccessDecision.Allow
            : AccessDecision.Forbid(caller.Dept is null
                ? $"令牌不属于任何部门，不能以部门“{Shorten(department)}”的名义下发数据。"
                : $"令牌所属部门为“{caller.Dept}”，不能以部门“{Shorten(department)}”的名义下发数据。");
    }

    /// <summary>
    /// What a caller may read across villages (共享边界). A caller whose token names a department reads only its
    /// department's templates' workbooks, and of the village-level data (values, history, quality flags) only the fields
    /// those templates read plus the fields the department owns. A caller without a department is the office's own staff
    /// and reads what its roles and org allow, every field and workbook. Null: no narrowing.
    /// </summary>
    public static DepartmentView? ViewOf(CallerIdentity caller, CatalogBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(bundle);
        if (caller.Dept is not { } code)
        {
            return null;
        }

        var templates = bundle.Templates.Where(t => string.Equals(t.Department, code, StringComparison.Ordinal)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var fields = bundle.Templates.Where(t => templates.Contains(t.Id))
            .SelectMany(t => t.FieldIds())
            .Concat(bundle.Catalog.Fields.Where(f => f.Departments.Contains(code, StringComparer.Ordinal)).Select(f => f.Id))
            .ToHashSet(StringComparer.Ordinal);
        return new DepartmentView(code, bundle.Catalog.Departments.NameOf(code), templates, fields);
    }

    // A hostile path segment is echoed back in the message; keep it short.
    private static string Shorten(string? value) => value is null ? "" : value.Length <= 20 ? value : value[..20] + "…";
}

/// <summary>
/// The data a department's caller may read: its templates' workbooks and the fields they read or it owns
/// (<see cref="AccessPolicy.ViewOf"/>). Listings are filtered through it; a direct request outside it is 403.
/// </summary>
public sealed record DepartmentView(string Code, string Name, IReadOnlySet<string> Templates, IReadOnlySet<string> Fields)
{
    public bool MayReadTemplate(string templateId) => Templates.Contains(templateId);

    public bool MayReadField(string fieldId) => Fields.Contains(fieldId);

    public AccessDecision DecideTemplate(string templateId, string title) => MayReadTemplate(templateId)
        ? AccessDecision.Allow
        : AccessDecision.Forbid($"{Name}只能查看本部门的报表，“{title}”（{templateId}）不是{Name}的报表。");

    public AccessDecision DecideField(string fieldId, string name) => MayReadField(fieldId)
        ? AccessDecision.Allow
        : AccessDecision.Forbid($"{Name}只能查看本部门报表使用的指标和本部门的指标，“{name}”（{fieldId}）不在其中。");
}
