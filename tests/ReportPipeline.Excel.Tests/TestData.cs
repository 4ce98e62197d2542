using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Excel.Tests;

/// <summary>A small catalog, city and template built directly, so these tests depend on nothing but the contracts.</summary>
internal static class TestData
{
    public static readonly Period November = Period.Month(2026, 11);
    public static readonly DateTimeOffset Generated = new(2026, 12, 8, 9, 30, 0, TimeSpan.FromHours(8));

    public static FieldCatalog Catalog() => new("2026.11-test", Fields, []);

    public static readonly IReadOnlyList<FieldDefinition> Fields =
    [
        new() { Id = "population_registered", Name = "户籍人口", Unit = "人", Type = FieldType.Integer, Min = 0, Max = 100000, Group = "人口", Departments = ["公安局", "统计局"], Source = FieldSource.Prefilled, Required = true },
        new() { Id = "households", Name = "户数", Unit = "户", Type = FieldType.Integer, Min = 0, Max = 50000, Group = "人口", Departments = ["统计局"], CarryForward = true },
        new() { Id = "elderly_65", Name = "65岁以上老人数", Unit = "人", Type = FieldType.Integer, Min = 0, Max = 100000, Group = "人口", Departments = ["卫健委"] },
        new() { Id = "party_members", Name = "党员数", Unit = "人", Type = FieldType.Integer, Min = 0, Max = 5000, Group = "党建", Departments = ["组织部"], Required = true },
        new() { Id = "party_share", Name = "党员占户籍人口比例", Unit = "%", Type = FieldType.Decimal, Precision = 2, Group = "党建", Source = FieldSource.Derived, Expression = "percent(party_members, population_registered)" },
        new() { Id = "dibao_households", Name = "低保户数", Unit = "户", Type = FieldType.Integer, Min = 0, Max = 5000, Group = "民政", Departments = ["民政局"] },
        new() { Id = "dibao_amount", Name = "低保金发放额", Unit = "万元", Type = FieldType.Decimal, Precision = 2, Min = 0, Max = 10000, Group = "民政", Departments = ["民政局"] },
        new() { Id = "road_status", Name = "通村公路状况", Type = FieldType.Enum, Group = "基础设施", Options = [new("good", "良好"), new("fair", "一般"), new("poor", "较差")], Departments = ["交通局"] },
        new() { Id = "has_clinic", Name = "是否有村卫生室", Type = FieldType.Boolean, Group = "基础设施", Departments = ["卫健委"] },
        new() { Id = "survey_date", Name = "最近一次入户调查日期", Type = FieldType.Date, Group = "基础设施", Departments = ["统计局"] },
        new() { Id = "secretary_name", Name = "村党组织书记姓名", Type = FieldType.Text, Group = "党建", Departments = ["组织部"] },
    ];

    public static ReportTemplate Template() => new()
    {
        Id = "civil_monthly",
        Department = "民政局",
        Title = "村（社区）民政与党建情况月报表",
        PeriodKind = PeriodKind.Month,
        AudienceLevels = [OrgLevel.Township, OrgLevel.District, OrgLevel.City],
        DeadlineDays = 5,
        Columns =
        [
            new() { Id = "c_pop", Headers = ["人口情况", "户籍人口"], FieldId = "population_registered", Unit = "人" },
            new() { Id = "c_elderly", Headers = ["人口情况", "65岁以上"], FieldId = "elderly_65", Unit = "人" },
            new() { Id = "c_party", Headers = ["党建", "党员数"], FieldId = "party_members", Unit = "人" },
            new() { Id = "c_share", Headers = ["党建", "党员占比"], Expression = ColumnExpression.Parse("percent(party_members, population_registered)"), NumberFormat = "0.00", Unit = "%" },
            new() { Id = "c_dibao", Headers = ["低保户数"], FieldId = "dibao_households", Unit = "户" },
            new() { Id = "c_amount", Headers = ["低保金（万元）"], FieldId = "dibao_amount", NumberFormat = "#,##0.00", Unit = "万元" },
            new() { Id = "c_non_elderly", Headers = ["非老年人口"], Expression = ColumnExpression.Parse("diff(population_registered, elderly_65)") },
            new() { Id = "c_road", Headers = ["通村公路"], FieldId = "road_status" },
        ],
    };

    public static Org Village(string code) => Orgs().Single(o => o.Code == code);

    /// <summary>City 500000000000 → district 500103 → two townships (3 and 2 villages) + district 500104 → one township (2 villages).</summary>
    public static IReadOnlyList<Org> Orgs() =>
    [
        new("500000000000", "重庆市", OrgLevel.City, null),
        new("500103000000", "渝中区", OrgLevel.District, "500000000000"),
        new("500103001000", "七星岗街道", OrgLevel.Township, "500103000000"),
        new("500103001001", "金汤街社区", OrgLevel.Village, "500103001000"),
        new("500103001002", "领事巷社区", OrgLevel.Village, "500103001000"),
        new("500103001003", "双钢路社区", OrgLevel.Village, "500103001000"),
        new("500103002000", "解放碑街道", OrgLevel.Township, "500103000000"),
        new("500103002001", "青年路社区", OrgLevel.Village, "500103002000"),
        new("500103002002", "人民公园社区", OrgLevel.Village, "500103002000"),
        new("500104000000", "大渡口区", OrgLevel.District, "500000000000"),
        new("500104001000", "新山村街道", OrgLevel.Township, "500104000000"),
        new("500104001001", "长征社区", OrgLevel.Village, "500104001000"),
        new("500104001002", "双山社区", OrgLevel.Village, "500104001000"),
    ];

    public static StoredValue Typed(string canonical, FieldType type = FieldType.Integer, DateTimeOffset? at = null, string source = "sub-1") =>
        new(new FieldValue(type, canonical), ValueOrigin.Typed, source, at ?? Generated.AddDays(-5));

    public static StoredValue Prefilled(string canonical, FieldType type = FieldType.Integer) =>
        new(new FieldValue(type, canonical), ValueOrigin.Prefilled, "gongan-2026-11", Generated.AddDays(-20));

    /// <summary>Values for one reporting village; numbers vary with <paramref name="seed"/> so that sums are not trivial.</summary>
    public static OrgValues VillageValues(string code, int seed, DateTimeOffset at, string submissionId)
    {
        var values = new Dictionary<string, StoredValue>(StringComparer.Ordinal)
        {
            ["population_registered"] = Prefilled((1000 + seed * 37).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ["elderly_65"] = Typed((150 + seed * 7).ToString(System.Globalization.CultureInfo.InvariantCulture), at: at, source: submissionId),
            ["party_members"] = Typed((40 + seed * 3).ToString(System.Globalization.CultureInfo.InvariantCulture), at: at, source: submissionId),
            ["dibao_households"] = Typed((5 + seed).ToString(System.Globalization.CultureInfo.InvariantCulture), at: at, source: submissionId),
            ["dibao_amount"] = Typed((1.25m + seed * 0.5m).ToString(System.Globalization.CultureInfo.InvariantCulture), FieldType.Decimal, at, submissionId),
            ["road_status"] = Typed(seed % 2 == 0 ? "good" : "fair", FieldType.Enum, at, submissionId),
        };
        return new OrgValues(code, November, values);
    }

    public static MergeReceipt Receipt(string code, string submissionId, DateTimeOffset at) => new()
    {
        SubmissionId = submissionId,
        OrgCode = code,
        Period = November,
        ReceivedAt = at,
        FirstReportedAt = at,
        LastReportedAt = at,
        Changed = 5,
        Unchanged = 0,
        ConfirmedPrefill = 1,
        Channel = "http",
    };
}
