using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Excel.Tests.TestData;

namespace ReportPipeline.Excel.Tests.Consolidation;

/// <summary>
/// Five of the seven villages report (one of them late); 500103001003 and 500104001002 never do, although the first
/// holds a pre-filled value.
/// </summary>
internal sealed class ConsolidationScenario
{
    public static readonly DateTimeOffset OnTime = new(2026, 12, 2, 10, 0, 0, TimeSpan.FromHours(8));
    /// <summary>November's deadline is 5 December; this is the 6th, China time.</summary>
    public static readonly DateTimeOffset Late = new(2026, 12, 6, 9, 0, 0, TimeSpan.FromHours(8));

    public static readonly (string Code, int Seed, DateTimeOffset At)[] Reporting =
    [
        ("500103001001", 1, OnTime),
        ("500103001002", 2, OnTime.AddHours(3)),
        ("500103002001", 3, Late),
        ("500103002002", 4, OnTime.AddDays(1)),
        ("500104001001", 5, OnTime.AddDays(2)),
    ];

    public Dictionary<string, OrgValues> Values { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, MergeReceipt> Receipts { get; } = new(StringComparer.Ordinal);

    public ConsolidationScenario()
    {
        foreach (var (code, seed, at) in Reporting)
        {
            var id = "sub-" + code[^4..];
            Values[code] = VillageValues(code, seed, at, id);
            Receipts[code] = Receipt(code, id, at);
        }

        Values["500103001003"] = new OrgValues("500103001003", November, new Dictionary<string, ReportPipeline.Domain.Values.StoredValue>
        {
            ["population_registered"] = Prefilled("999"),
        });
    }

    public static OrgRegistry Registry { get; } = new(Orgs());

    /// <summary>The workbook of <paramref name="orgCode"/> as a unit builds it (<see cref="ProductionInputs"/>).</summary>
    public ConsolidatedReport Build(string orgCode, IReadOnlyDictionary<string, Domain.Governance.ApprovalRecord>? approvals = null) =>
        ProductionInputs.Build(Template(), Catalog(), Registry, orgCode, November, Values, Receipts, Generated, approvals: approvals);

    /// <summary>Independent of the builder: the reported villages below an org, found by walking parents.</summary>
    public IEnumerable<OrgValues> ReportedUnder(string orgCode)
    {
        var orgs = Orgs().ToDictionary(o => o.Code);
        bool IsUnder(Org org) => org.Code == orgCode || (org.ParentCode is { } p && IsUnder(orgs[p]));
        return orgs.Values.Where(o => o.Level == OrgLevel.Village && IsUnder(o) && Receipts.ContainsKey(o.Code)).Select(o => Values[o.Code]);
    }

    public decimal SumUnder(string orgCode, string fieldId) =>
        ReportedUnder(orgCode).Sum(v => v.Values[fieldId].Value.Number!.Value);
}
