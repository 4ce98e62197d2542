using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Values;
using static ReportPipeline.Excel.Tests.TestData;

namespace ReportPipeline.Excel.Tests;

/// <summary>The form records the version of the values it was filled from, so that its upload can be checked against it.</summary>
public sealed class FormValuesVersionTests
{
    private static byte[] Form(string? version) => new FormWorkbookWriter().Write(new FormWorkbookModel
    {
        Catalog = Catalog(),
        Org = Village("500103001001"),
        Period = November,
        GeneratedAt = Generated,
        ValuesVersion = version,
    });

    private static FormReadResult Read(byte[] workbook) => new FormWorkbookReader().Read(new MemoryStream(workbook));

    [Theory]
    [InlineData("1764300000000-S20261128090000abcdef0123")]
    [InlineData(ValuesVersion.None)]
    public void The_version_is_recorded_in_the_meta_sheet_and_a_custom_property_and_read_back(string version)
    {
        var form = Form(version);
        using var independent = new OpenXmlWorkbook(form);

        Assert.Equal(version, independent.CustomProperty("RP_ValuesVersion"));
        Assert.Contains(independent.Cells(FormMetadata.MetaSheet).Values, c => c.Text == version);
        Assert.Equal(version, Read(form).ValuesVersion);
    }

    [Fact]
    public void A_form_without_a_version_or_with_one_that_is_not_a_version_conditions_nothing()
    {
        Assert.Null(Read(Form(null)).ValuesVersion);
        Assert.Null(Read(Form("\"forged\" <x>")).ValuesVersion);
    }
}
