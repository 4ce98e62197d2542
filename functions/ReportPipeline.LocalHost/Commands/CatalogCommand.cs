using System.CommandLine;
using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Storage.Files;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary><c>catalog check</c>: loads the one table and shows, per template, which columns it already holds.</summary>
public static class CatalogCommand
{
    public static Command Create()
    {
        var path = new Option<string?>("--path") { Description = "Catalog folder (default: the catalog shipped beside the binaries)" };
        var check = new Command("check", "Load the catalog (all problems listed) and print the overlap of every template with the one table") { path };
        check.SetAction(async (parse, ct) =>
        {
            var source = parse.GetValue(path) is { } p ? new FileCatalogSource(p) : FileCatalogSource.Shipped;
            CatalogBundle bundle;
            try
            {
                bundle = await CatalogLoader.LoadAsync(source, period: null, ct);
            }
            catch (CatalogLoadException ex)
            {
                AnsiConsole.MarkupLine($"[red]目录有 {ex.Problems.Count} 处问题：[/]");
                foreach (var problem in ex.Problems)
                {
                    AnsiConsole.WriteLine("  - " + problem);
                }

                return 1;
            }

            Print(bundle, OverlapAnalyzer.Analyze(bundle));
            return 0;
        });
        var command = new Command("catalog", "The one table (一表) and the department templates");
        command.Subcommands.Add(check);
        return command;
    }

    private static void Print(CatalogBundle bundle, OverlapReport report)
    {
        AnsiConsole.MarkupLine($"[bold]一表通目录 {Markup.Escape(bundle.Catalog.Version)}[/]：{bundle.Catalog.Fields.Count} 个指标，{bundle.Catalog.Rules.Count} 条跨字段规则（其中 {SpanningFrequencies(bundle)} 条跨填报频次），{bundle.Templates.Count} 张报表");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("报表").AddColumn("部门").AddColumn(new TableColumn("列数").RightAligned())
            .AddColumn(new TableColumn("一表已有").RightAligned()).AddColumn(new TableColumn("可推算").RightAligned())
            .AddColumn(new TableColumn("新增").RightAligned()).AddColumn(new TableColumn("复用率").RightAligned());
        foreach (var t in report.Templates)
        {
            table.AddRow(
                Markup.Escape($"{t.Title} ({t.TemplateId})"),
                Markup.Escape(t.Department),
                t.Total.ToString(CultureInfo.InvariantCulture),
                t.Held.ToString(CultureInfo.InvariantCulture),
                t.Derivable.ToString(CultureInfo.InvariantCulture),
                t.New > 0 ? $"[yellow]{t.New}[/]" : "0",
                t.Total == 0 ? "-" : ((double)(t.Held + t.Derivable) / t.Total).ToString("P0", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            $"报表列合计 {report.TotalColumns}，涉及不同指标 {report.DistinctFieldsUsed}，重叠倍数（报表列 ÷ 不同指标）[bold]{report.OverlapRatio.ToString("0.00", CultureInfo.InvariantCulture)}[/]");
        AnsiConsole.MarkupLine(report.NameConflicts.Count == 0
            ? $"指标名称查重（设计检查同一匹配，阈值 {FieldNameMatcher.NearMatchThreshold:0.00}）：无同名或近似指标"
            : $"[yellow]指标名称查重（设计检查同一匹配，阈值 {FieldNameMatcher.NearMatchThreshold:0.00}）：{report.NameConflicts.Count} 对[/] " +
              Markup.Escape(string.Join("；", report.NameConflicts.Select(c => $"{c.Name}（{c.FieldId}）≈ {c.OtherName}（{c.OtherFieldId}）{c.Score:0.00}"))));
        foreach (var t in report.Templates.Where(t => t.New > 0))
        {
            AnsiConsole.MarkupLine($"[yellow]新增指标[/] {Markup.Escape(t.Title)}：{Markup.Escape(string.Join("、", t.Columns.Where(c => c.Kind == ColumnOverlap.New).Select(c => c.Header)))}");
        }
    }

    private static int SpanningFrequencies(CatalogBundle bundle) => bundle.Catalog.Rules.Count(bundle.Catalog.SpansFrequencies);
}
