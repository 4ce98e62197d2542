using System.Text;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Tests.Ingestion;

public sealed class JsonSubmissionParserTests
{
    private static ParsedUpload Parse(string json) => JsonSubmissionParser.Parse(Encoding.UTF8.GetBytes(json));

    private static RawValue Value(ParsedUpload parsed, string fieldId) => Assert.Single(parsed.Values, v => v.FieldId == fieldId);

    [Theory]
    [InlineData("12.50", "12.50")]
    [InlineData("120", "120")]
    [InlineData("0.10", "0.10")]
    [InlineData("-3", "-3")]
    [InlineData("1e3", "1e3")]
    [InlineData("12345678901234567890.123456789", "12345678901234567890.123456789")]
    public void Numbers_keep_their_literal_text(string literal, string expected)
    {
        var parsed = Parse("""{"values": {"farmland_area": """ + literal + "}}");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("farmland_area", expected, "values.farmland_area"), Assert.Single(parsed.Values));
    }

    [Fact]
    public void Strings_are_read_unescaped_and_otherwise_as_sent()
    {
        var parsed = Parse("""{"values": {"committee_director": "\u5f20\u4e09", "households": " 120 ", "population": "1,234"}}""");

        Assert.Empty(parsed.Errors);
        Assert.Equal("张三", Value(parsed, "committee_director").Text);
        Assert.Equal(" 120 ", Value(parsed, "households").Text);
        Assert.Equal("1,234", Value(parsed, "population").Text);
    }

    [Fact]
    public void Booleans_become_lowercase_true_and_false()
    {
        var parsed = Parse("""{"values": {"has_clinic": true, "has_pharmacy": false}}""");

        Assert.Empty(parsed.Errors);
        Assert.Equal("true", Value(parsed, "has_clinic").Text);
        Assert.Equal("false", Value(parsed, "has_pharmacy").Text);
    }

    [Fact]
    public void Null_becomes_a_missing_value_that_still_names_its_field_and_path()
    {
        var parsed = Parse("""{"values": {"population": null}}""");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("population", null, "values.population"), Assert.Single(parsed.Values));
    }

    [Theory]
    [InlineData("""{"count": 3}""")]
    [InlineData("[1, 2]")]
    [InlineData("[]")]
    public void An_object_or_array_value_is_an_error_naming_the_field_and_its_path(string nested)
    {
        var parsed = Parse("""{"values": {"households": 120, "population": """ + nested + """, "has_clinic": true}}""");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("population", error.FieldId);
        Assert.Equal("not_a_scalar", error.Code);
        Assert.Equal("values.population", error.Cell);
        Assert.Contains("population", error.Message, StringComparison.Ordinal);
        Assert.Contains("不能是对象或数组", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "households", "has_clinic" }, parsed.Values.Select(v => v.FieldId));
    }

    [Fact]
    public void Every_value_carries_its_json_path_in_the_order_sent()
    {
        var parsed = Parse("""{"values": {"population": 3012, "households": 980, "committee_director": "李四"}}""");

        Assert.Equal(
            new[]
            {
                new RawValue("population", "3012", "values.population"),
                new RawValue("households", "980", "values.households"),
                new RawValue("committee_director", "李四", "values.committee_director"),
            },
            parsed.Values);
    }

    [Fact]
    public void Field_ids_are_passed_through_for_the_validator_to_judge()
    {
        var parsed = Parse("""{"values": {"no_such_field": 1}}""");

        Assert.Empty(parsed.Errors);
        Assert.Equal("no_such_field", Assert.Single(parsed.Values).FieldId);
    }

    [Fact]
    public void Properties_other_than_values_are_ignored()
    {
        var parsed = Parse("""{"org": "500103001001", "period": "2026-11", "values": {"households": 980}}""");

        Assert.Empty(parsed.Errors);
        Assert.Equal("households", Assert.Single(parsed.Values).FieldId);
    }

    [Fact]
    public void An_empty_values_object_gives_no_values_and_no_errors()
    {
        var parsed = Parse("""{"values": {}}""");

        Assert.Empty(parsed.Values);
        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_tolerated()
    {
        var parsed = Parse("""
            {
              // 十一月报表
              "values": {
                "households": 980, /* 含新迁入 */
                "population": 3012,
              },
            }
            """);

        Assert.Empty(parsed.Errors);
        Assert.Equal(new[] { "households", "population" }, parsed.Values.Select(v => v.FieldId));
    }

    [Fact]
    public void Json_saved_with_a_utf8_byte_order_mark_is_read()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"values": {"households": 980}}""")).ToArray();

        var parsed = JsonSubmissionParser.Parse(body);

        Assert.Equal(new RawValue("households", "980", "values.households"), Assert.Single(parsed.Values));
    }

    [Fact]
    public void Malformed_json_is_a_malformed_upload_with_a_chinese_message_giving_the_line()
    {
        var body = "{\"values\": {\n  \"households\": ,\n}}";

        var ex = Assert.Throws<MalformedUploadException>(() => Parse(body));

        Assert.Contains("不是有效的 JSON", ex.Message, StringComparison.Ordinal);
        Assert.Contains("第 2 行", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("households=980")]
    [InlineData("""{"values": {"households": 980}""")]
    public void A_body_that_is_not_json_is_a_malformed_upload(string body)
    {
        var ex = Assert.Throws<MalformedUploadException>(() => Parse(body));

        Assert.Contains("不是有效的 JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"households": 980}]""")]
    [InlineData("\"households\"")]
    [InlineData("980")]
    [InlineData("null")]
    public void A_root_that_is_not_an_object_is_a_malformed_upload_explaining_the_expected_shape(string body)
    {
        var ex = Assert.Throws<MalformedUploadException>(() => Parse(body));

        Assert.Contains("请求体应为", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"values\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"households": 980}""")]
    [InlineData("""{"Values": {"households": 980}}""")]
    [InlineData("""{"values": null}""")]
    [InlineData("""{"values": [980]}""")]
    [InlineData("""{"values": "households=980"}""")]
    public void A_missing_or_non_object_values_member_is_a_malformed_upload(string body)
    {
        var ex = Assert.Throws<MalformedUploadException>(() => Parse(body));

        Assert.Contains("请求体应为", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_in_a_value_is_an_error_on_that_field()
    {
        var parsed = Parse("""{"values": {"office_address": "\ud800"}}""");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal(("office_address", "invalid_text"), (error.FieldId, error.Code));
    }

    [Fact]
    public void A_lone_surrogate_in_a_name_makes_the_body_malformed()
    {
        Assert.Throws<MalformedUploadException>(() => Parse("""{"values": {"\udc00": 1}}"""));
    }

    [Fact]
    public void A_name_longer_than_any_field_is_handed_on_as_a_marked_excerpt()
    {
        var name = new string('n', 1024 * 1024);

        var value = Assert.Single(Parse("{\"values\": {\"" + name + "\": 1}}").Values);

        Assert.True(value.FieldId.Length < 100, $"{value.FieldId.Length} characters");
        Assert.Contains("1048576", value.FieldId, StringComparison.Ordinal);
        Assert.True(value.Cell!.Length < 120);
    }
}
