using ReportPipeline.Application.Ingestion;

namespace ReportPipeline.Application.Tests.Ingestion;

public sealed class UploadFormatsTests
{
    [Theory]
    [InlineData("application/json", UploadFormat.Json)]
    [InlineData("application/json; charset=utf-8", UploadFormat.Json)]
    [InlineData("text/json", UploadFormat.Json)]
    [InlineData("text/csv", UploadFormat.Csv)]
    [InlineData("text/csv; charset=gb18030", UploadFormat.Csv)]
    [InlineData("text/csv;charset=\"GB18030\";header=present", UploadFormat.Csv)]
    [InlineData("application/csv", UploadFormat.Csv)]
    [InlineData("text/tab-separated-values", UploadFormat.Csv)]
    [InlineData("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", UploadFormat.Workbook)]
    public void A_content_type_is_recognised_by_its_media_type_whatever_its_parameters(string contentType, UploadFormat expected)
    {
        Assert.Equal(expected, UploadFormats.FromContentType(contentType));
    }

    [Theory]
    [InlineData("Application/JSON", UploadFormat.Json)]
    [InlineData("TEXT/CSV; Charset=GB18030", UploadFormat.Csv)]
    [InlineData("  text/csv  ; charset=utf-8", UploadFormat.Csv)]
    [InlineData("Application/Vnd.OpenXmlFormats-OfficeDocument.SpreadsheetML.Sheet", UploadFormat.Workbook)]
    public void Content_types_are_matched_ignoring_case_and_surrounding_spaces(string contentType, UploadFormat expected)
    {
        Assert.Equal(expected, UploadFormats.FromContentType(contentType));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("application/octet-stream")]
    [InlineData("application/vnd.ms-excel")]
    [InlineData("text/plain; charset=utf-16")]
    [InlineData("application/xml")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("; charset=utf-8")]
    [InlineData("text/csvx")]
    public void An_unknown_or_absent_content_type_gives_no_format(string? contentType)
    {
        Assert.Null(UploadFormats.FromContentType(contentType));
    }

    [Theory]
    [InlineData("application/vnd.ms-excel")]
    [InlineData("application/octet-stream")]
    [InlineData("Text/Plain; charset=gb18030")]
    public void Generic_content_types_are_read_by_sniffing(string contentType)
    {
        Assert.True(UploadFormats.IsSniffed(contentType));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/csv")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public void Specific_or_unknown_content_types_are_not_sniffed(string? contentType)
    {
        Assert.False(UploadFormats.IsSniffed(contentType));
    }

    [Theory]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x14 }, UploadFormat.Workbook)]
    [InlineData(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1 }, UploadFormat.Workbook)]
    [InlineData(new byte[] { (byte)'{', (byte)'}' }, UploadFormat.Json)]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)' ', (byte)'\n', (byte)'{' }, UploadFormat.Json)]
    [InlineData(new byte[] { (byte)'i', (byte)'d', (byte)',', (byte)'v' }, UploadFormat.Csv)]
    [InlineData(new byte[] { 0xB1, 0xE0, 0xBA, 0xC5, (byte)',' }, UploadFormat.Csv)]
    [InlineData(new byte[] { (byte)'P', (byte)'K' }, UploadFormat.Csv)]
    public void A_body_is_a_workbook_by_its_zip_magic_json_by_its_brace_and_otherwise_csv(byte[] body, UploadFormat expected)
    {
        Assert.Equal(expected, UploadFormats.Sniff(body));
    }

    [Theory]
    [InlineData("一表通.json", UploadFormat.Json)]
    [InlineData("一表通.csv", UploadFormat.Csv)]
    [InlineData("一表通.tsv", UploadFormat.Csv)]
    [InlineData("一表通.txt", UploadFormat.Csv)]
    [InlineData("一表通.xlsx", UploadFormat.Workbook)]
    [InlineData("一表通.XLSX", UploadFormat.Workbook)]
    [InlineData("2026-11/500103001001/十一月.Csv", UploadFormat.Csv)]
    [InlineData("报表.v2.json", UploadFormat.Json)]
    public void A_file_name_is_recognised_by_its_extension_ignoring_case(string name, UploadFormat expected)
    {
        Assert.Equal(expected, UploadFormats.FromFileName(name));
    }

    [Theory]
    [InlineData("一表通.xls")]
    [InlineData("一表通.xlsm")]
    [InlineData("一表通.et")]
    [InlineData("一表通.pdf")]
    [InlineData("一表通")]
    [InlineData("csv")]
    [InlineData("")]
    public void An_unsupported_or_missing_extension_gives_no_format(string name)
    {
        Assert.Null(UploadFormats.FromFileName(name));
    }

    [Theory]
    [InlineData(UploadFormat.Json)]
    [InlineData(UploadFormat.Csv)]
    [InlineData(UploadFormat.Workbook)]
    public void Each_format_round_trips_through_its_content_type_and_extension(UploadFormat format)
    {
        Assert.Equal(format, UploadFormats.FromContentType(UploadFormats.ContentType(format)));
        Assert.Equal(format, UploadFormats.FromFileName("上传" + UploadFormats.Extension(format)));
    }
}
