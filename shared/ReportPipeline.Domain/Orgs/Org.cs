namespace ReportPipeline.Domain.Orgs;

/// <summary>
/// Administrative level. The code's shape decides it: 12 digits = 2 province, 2 prefecture,
/// 2 county, 3 township, 3 village. A province-level municipality such as Chongqing (500000000000)
/// is the <see cref="City"/>.
/// </summary>
public enum OrgLevel
{
    City = 1,
    District = 2,
    Township = 3,
    Village = 4,
}

/// <summary>One administrative unit (行政区划). <see cref="ParentCode"/> is null only for the root.</summary>
public sealed record Org(string Code, string Name, OrgLevel Level, string? ParentCode);
