using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Development.Synthetic;

/// <summary>
/// A large catalog for benchmarks (300–1,000 fields): groups of a total and its parts with the matching rules,
/// monthly integer items, decimals, enums, booleans, dates and text, and templates that overlap.
/// </summary>
public static class SyntheticCatalog
{
    private static readonly string[] Groups = ["人口", "民政", "党建", "就业社保", "卫生健康", "教育", "农业农村", "应急", "基层治理", "退役军人", "生态环境", "住建"];
    /// <summary>The departments that own the fields and ask for the templates, in the shipped catalog's codes.</summary>
    public static IReadOnlyList<Department> DepartmentList { get; } =
    [
        new("mz", "民政局"), new("zzb", "组织部"), new("tjj", "统计局"), new("wjw", "卫健委"), new("rsj", "人社局"), new("nyncw", "农业农村委"),
        new("yjj", "应急局"), new("zfw", "政法委"), new("jw", "教委"), new("tyjr", "退役军人事务局"), new("zjw", "住建委"), new("sthj", "生态环境局"),
    ];

    private static readonly string[] Departments = [.. DepartmentList.Select(d => d.Code)];

    public static CatalogBundle Generate(int fieldCount, int templateCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fieldCount, 10);
        ArgumentOutOfRangeException.ThrowIfLessThan(templateCount, 1);
        var random = new Random(seed);
        var fields = new List<FieldDefinition>(fieldCount);
        var rules = new List<CrossFieldRule>();
        var index = 0;
        while (fields.Count < fieldCount)
        {
            var group = Groups[index % Groups.Length];
            var department = Departments[index % Departments.Length];
            var remaining = fieldCount - fields.Count;
            if (remaining >= 4 && index % 3 == 0)
            {
                // A total with two parts that add up and one that must not exceed it.
                var total = Integer($"f{index:D4}_total", $"指标{index}合计", group, department, 100_000);
                var a = Integer($"f{index:D4}_a", $"指标{index}甲", group, department, 100_000);
                var b = Integer($"f{index:D4}_b", $"指标{index}乙", group, department, 100_000);
                var part = Integer($"f{index:D4}_part", $"指标{index}其中", group, department, 100_000);
                fields.AddRange([total, a, b, part]);
                rules.Add(new CrossFieldRule { Id = $"r{index:D4}_sum", Kind = CrossFieldRuleKind.PartsSumToTotal, Field = total.Id, Others = [a.Id, b.Id] });
                rules.Add(new CrossFieldRule { Id = $"r{index:D4}_part", Kind = CrossFieldRuleKind.PartsNotExceedTotal, Field = total.Id, Others = [part.Id] });
            }
            else
            {
                fields.Add((index % 10) switch
                {
                    1 => new FieldDefinition { Id = $"f{index:D4}_dec", Name = $"金额{index}", Unit = "万元", Type = FieldType.Decimal, Precision = 2, Min = 0, Max = 100_000, Group = group, Departments = [department] },
                    2 => new FieldDefinition { Id = $"f{index:D4}_enum", Name = $"类型{index}", Type = FieldType.Enum, Options = [new("a", "甲类"), new("b", "乙类"), new("c", "丙类")], Group = group, Departments = [department] },
                    4 => new FieldDefinition { Id = $"f{index:D4}_bool", Name = $"是否{index}", Type = FieldType.Boolean, Group = group, Departments = [department] },
                    5 => new FieldDefinition { Id = $"f{index:D4}_date", Name = $"日期{index}", Type = FieldType.Date, Group = group, Departments = [department] },
                    7 => new FieldDefinition { Id = $"f{index:D4}_text", Name = $"说明{index}", Type = FieldType.Text, MaxLength = 100, Group = group, Departments = [department] },
                    _ => Integer($"f{index:D4}", $"数量{index}", group, department, 50_000),
                });
            }

            index++;
        }

        var numeric = fields.Where(f => f.IsNumeric).ToList();
        var templates = new List<ReportTemplate>(templateCount);
        for (var t = 0; t < templateCount; t++)
        {
            var columnCount = Math.Min(numeric.Count, random.Next(10, 41));
            var picked = numeric.OrderBy(_ => random.Next()).Take(columnCount).OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
            var columns = picked.Select(f => new TemplateColumn { Id = f.Id, Headers = [f.Group, f.Name], FieldId = f.Id, Unit = f.Unit }).ToList();
            if (picked.Count >= 2)
            {
                columns.Add(new TemplateColumn
                {
                    Id = "calc_share",
                    Headers = ["占比", "占比（%）"],
                    Expression = new ColumnExpression.Ratio(new ColumnExpression.FieldRef(picked[0].Id), new ColumnExpression.FieldRef(picked[1].Id), 100m),
                    NumberFormat = "0.00",
                    Unit = "%",
                });
            }

            templates.Add(new ReportTemplate
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"t{t:D3}"),
                Department = Departments[t % Departments.Length],
                DepartmentName = DepartmentList[t % Departments.Length].Name,
                Title = string.Create(CultureInfo.InvariantCulture, $"合成报表{t}"),
                PeriodKind = PeriodKind.Month,
                AudienceLevels = [OrgLevel.Township, OrgLevel.District, OrgLevel.City],
                Columns = columns,
            });
        }

        return new CatalogBundle(new FieldCatalog(string.Create(CultureInfo.InvariantCulture, $"9999.1.{seed}"), fields, rules, new DepartmentDirectory(DepartmentList)), templates);
    }

    private static FieldDefinition Integer(string id, string name, string group, string department, int max) => new()
    {
        Id = id,
        Name = name,
        Unit = "人",
        Type = FieldType.Integer,
        Min = 0,
        Max = max,
        Group = group,
        Departments = [department],
    };
}
