using System.Diagnostics;
using System.Text;

namespace ReportPipeline.Excel.Tests;

/// <summary>Runs only where LibreOffice is installed; elsewhere it is reported as skipped, not passed.</summary>
public sealed class LibreOfficeFactAttribute : FactAttribute
{
    public LibreOfficeFactAttribute()
    {
        if (LibreOffice.Executable is null)
        {
            Skip = "soffice is not installed";
        }
    }
}

internal static class LibreOffice
{
    public static readonly string? Executable = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .SelectMany(dir => new[] { Path.Combine(dir, "soffice"), Path.Combine(dir, "libreoffice") })
        .FirstOrDefault(File.Exists);

    /// <summary>Converts the workbook's first sheet to CSV headless and returns its text.</summary>
    public static string ToCsv(byte[] workbook)
    {
        var folder = Directory.CreateTempSubdirectory("rp-lo-");
        try
        {
            var input = Path.Combine(folder.FullName, "report.xlsx");
            File.WriteAllBytes(input, workbook);
            var start = new ProcessStartInfo(Executable!)
            {
                ArgumentList = { "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", folder.FullName, input },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["HOME"] = folder.FullName;
            using var process = Process.Start(start)!;
            process.WaitForExit(120_000);
            return File.ReadAllText(Path.Combine(folder.FullName, "report.csv"), Encoding.UTF8);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}

public sealed class LibreOfficeTests
{
    [LibreOfficeFact]
    public void LibreOffice_opens_the_report_and_sees_the_totals_and_not_reported_units()
    {
        var scenario = new Consolidation.ConsolidationScenario();
        var workbook = new ReportWorkbookWriter().Write(scenario.Build("500103001000"));

        var csv = LibreOffice.ToCsv(workbook);

        Assert.Contains("合计（应报3，已报2，未报1）", csv, StringComparison.Ordinal);
        Assert.Contains("未报", csv, StringComparison.Ordinal);
        Assert.Contains(scenario.SumUnder("500103001000", "party_members").ToString(System.Globalization.CultureInfo.InvariantCulture), csv, StringComparison.Ordinal);
    }
}
