using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OfficeOpenXml;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Http;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Hostile uploads, routes, tokens and dropped-file names through the real local host. Every refusal must be a 4xx
/// problem+json with a Chinese detail, store nothing, and leave the server answering.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class HostileInputTests(PipelineHostFixture host)
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string NumberField = "pop_resident";
    private const string TextField = "office_address";

    private static int _nextYear;

    // ---------------------------------------------------------------- workbooks

    [Fact]
    public async Task Random_bytes_as_a_workbook_are_refused_as_unreadable()
    {
        var bytes = new byte[64 * 1024];
        new Random(7).NextBytes(bytes);
        bytes[0] = (byte)'P';
        bytes[1] = (byte)'K';

        var problem = await RefusedAsync(Bytes(bytes, Xlsx), HttpStatusCode.BadRequest);

        Assert.Contains("xlsx", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_empty_zip_as_a_workbook_is_refused_as_unreadable()
    {
        using var buffer = new MemoryStream();
        using (new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
        }

        await RefusedAsync(Bytes(buffer.ToArray(), Xlsx), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_zip_bomb_workbook_is_refused_without_inflating_it()
    {
        var bomb = BuildWorkbook(sheet => WriteBlanks(sheet, 300L * 1024 * 1024));

        var problem = await RefusedAsync(Bytes(bomb, Xlsx), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "too_large");
    }

    [Fact]
    public async Task A_zip_bomb_that_lies_about_its_inflated_size_is_refused_as_unreadable()
    {
        var bomb = BuildWorkbook(sheet => WriteBlanks(sheet, 300L * 1024 * 1024));
        ForgeUncompressedSize(bomb, "xl/worksheets/sheet1.xml", 4096);

        await RefusedAsync(Bytes(bomb, Xlsx), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_valid_workbook_that_is_not_our_form_is_refused_with_a_reason()
    {
        using var package = new ExcelPackage();
        var sheet = package.Workbook.Worksheets.Add("Sheet1");
        sheet.Cells[1, 1].Value = "姓名";
        sheet.Cells[1, 2].Value = "年龄";
        sheet.Cells[2, 1].Value = "张三";
        sheet.Cells[2, 2].Value = 42;

        var problem = await RefusedAsync(Bytes(package.GetAsByteArray(), Xlsx), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "not_our_form");
    }

    [Fact]
    public async Task A_formula_in_a_value_cell_is_read_by_its_calculated_value()
    {
        var village = host.Villages()[4];
        var period = UniqueMonth();
        var form = await FilledFormAsync(village, period, seed: 31, (sheet, row, column) =>
        {
            sheet.Cells[row, column].Formula = "2000+345";
            sheet.Calculate();
        });

        using var response = await PostAsync(village.Code, period, Bytes(form, Xlsx));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("2345", await StoredAsync(village.Code, period, NumberField));
    }

    [Fact]
    public async Task A_formula_without_a_calculated_value_is_refused_rather_than_silently_dropped()
    {
        var village = host.Villages()[5];
        var period = UniqueMonth();
        var form = await FilledFormAsync(village, period, seed: 32, (sheet, row, column) => sheet.Cells[row, column].Formula = "2000+345");

        var problem = await RefusedAsync(village, period, Bytes(form, Xlsx), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == NumberField);
    }

    [Fact]
    public async Task Hyperlink_formula_text_in_a_number_cell_is_refused_as_not_a_number()
    {
        var village = host.Villages()[6];
        var period = UniqueMonth();
        var form = await FilledFormAsync(village, period, seed: 33, (sheet, row, column) => sheet.Cells[row, column].Value = "=HYPERLINK(\"http://x\",\"y\")");

        var problem = await RefusedAsync(village, period, Bytes(form, Xlsx), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == NumberField);
    }

    [Fact]
    public async Task A_workbook_with_100k_rows_gets_an_answer_with_a_bounded_error_list()
    {
        var workbook = BuildWorkbook(sheet =>
        {
            using var writer = new StreamWriter(sheet, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>编号</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>本期数值</t></is></c></row>");
            for (var r = 2; r <= 100_001; r++)
            {
                writer.Write($"<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>x{r}</t></is></c><c r=\"B{r}\"><v>{r}</v></c></row>");
            }
        });

        var problem = await RefusedAsync(Bytes(workbook, Xlsx), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(Problems.MaxListedErrors, problem.GetProperty("errors").GetArrayLength());
        Assert.Contains($"前 {Problems.MaxListedErrors} 处", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- JSON

    [Fact]
    public async Task A_field_sent_twice_in_json_is_refused_not_resolved_silently()
    {
        var problem = await RefusedAsync(Raw($$$"""{"values": {"{{{NumberField}}}": 100, "{{{NumberField}}}": 200}}""", "application/json"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "duplicate_field");
    }

    [Fact]
    public async Task A_values_object_sent_twice_in_json_is_refused()
    {
        await RefusedAsync(Raw($$$"""{"values": {"{{{NumberField}}}": 100}, "values": {"{{{NumberField}}}": 200}}""", "application/json"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Json_nested_10000_levels_deep_is_refused_as_malformed()
    {
        var body = "{\"values\": {\"" + NumberField + "\": " + new string('[', 10_000) + new string(']', 10_000) + "}}";

        await RefusedAsync(Raw(body, "application/json"), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("1e-400")]
    public async Task Numbers_that_are_not_finite_decimals_are_refused(string literal)
    {
        var problem = await RefusedAsync(Raw($$$"""{"values": {"{{{NumberField}}}": {{{literal}}}}}""", "application/json"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == NumberField);
    }

    [Fact]
    public async Task A_bare_NaN_is_not_json()
    {
        await RefusedAsync(Raw($$$"""{"values": {"{{{NumberField}}}": NaN}}""", "application/json"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Negative_zero_is_stored_as_zero()
    {
        var village = host.Villages()[7];
        var period = UniqueMonth();
        var values = JsonValues(village, period, seed: 41, NumberField, "-0");

        using var response = await PostAsync(village.Code, period, Raw(values, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("0", await StoredAsync(village.Code, period, NumberField));
    }

    [Fact]
    public async Task Full_width_digits_are_stored_as_the_number()
    {
        var village = host.Villages()[8];
        var period = UniqueMonth();
        var values = JsonValues(village, period, seed: 42, NumberField, "\"１２３\"");

        using var response = await PostAsync(village.Code, period, Raw(values, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("123", await StoredAsync(village.Code, period, NumberField));
    }

    [Fact]
    public async Task Ten_thousand_unknown_fields_are_refused_with_a_bounded_error_list()
    {
        var body = new StringBuilder("{\"values\": {");
        for (var i = 0; i < 10_000; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("\"unknown_").Append(i).Append("\": 1");
        }

        body.Append("}}");

        var problem = await RefusedAsync(Raw(body.ToString(), "application/json"), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(Problems.MaxListedErrors, problem.GetProperty("errors").GetArrayLength());
        Assert.Contains($"前 {Problems.MaxListedErrors} 处", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_5_MB_string_in_a_text_field_is_refused_as_too_long()
    {
        var village = host.Villages()[9];
        var period = UniqueYear();
        var body = JsonValues(village, period, seed: 43, TextField, JsonSerializer.Serialize(new string('a', 5 * 1024 * 1024)));

        var problem = await RefusedAsync(village, period, Raw(body, "application/json"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == TextField);
    }

    [Theory]
    [InlineData("pop\\\"resident")]
    [InlineData("人口")]
    [InlineData("pop\\u0000resident")]
    [InlineData("pop\\u001bresident\\r\\n")]
    [InlineData("'; DROP TABLE x; --")]
    public async Task Field_ids_with_quotes_unicode_or_control_characters_are_unknown_fields(string escapedId)
    {
        var problem = await RefusedAsync(Raw($$$"""{"values": {"{{{escapedId}}}": 1}}""", "application/json"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "unknown_field");
    }

    [Fact]
    public async Task Valid_json_of_nearly_10_MB_is_read_and_accepted()
    {
        var village = host.Villages()[10];
        var period = UniqueMonth();
        var values = JsonValues(village, period, seed: 44, NumberField, "77");
        var padding = (int)(9.9 * 1024 * 1024) - values.Length - 32;
        var body = values[..^1] + ", \"note\": \"" + new string('x', padding) + "\"}";

        using var response = await PostAsync(village.Code, period, Raw(body, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("77", await StoredAsync(village.Code, period, NumberField));
    }

    // ---------------------------------------------------------------- CSV

    [Fact]
    public async Task Formula_injection_in_a_csv_text_field_is_stored_as_text_and_written_as_text()
    {
        const string Injection = "=cmd|' /C calc'!A0";
        var village = host.Villages()[11];
        var period = UniqueYear();
        var values = host.TypedValues(village, period, seed: 45);
        values[TextField] = Injection;
        var csv = string.Join(',', values.Keys) + "\n" + string.Join(',', values.Values.Select(CsvQuote)) + "\n";

        using var response = await PostAsync(village.Code, period, Raw(csv, "text/csv"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Injection, await StoredAsync(village.Code, period, TextField));
        using var form = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        using var package = new ExcelPackage(new MemoryStream(await form.Content.ReadAsByteArrayAsync()));
        var cells = package.Workbook.Worksheets.SelectMany(ws => ws.Cells).Where(c => c.Value as string == Injection || c.Formula.Contains("cmd", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cells);
        Assert.All(cells, c => Assert.Equal("", c.Formula));
    }

    [Fact]
    public async Task A_nul_byte_in_a_csv_value_is_refused()
    {
        var village = host.Villages()[12];
        var period = UniqueYear();
        var values = host.TypedValues(village, period, seed: 46);
        values[TextField] = "重庆市\0城口县";
        var csv = string.Join(',', values.Keys) + "\n" + string.Join(',', values.Values.Select(CsvQuote)) + "\n";

        var problem = await RefusedAsync(village, period, Raw(csv, "text/csv"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == TextField);
    }

    [Fact]
    public async Task Mixed_separators_in_csv_are_refused_with_the_columns_named()
    {
        var csv = $"{NumberField},pop_floating_in\tpop_floating_out\n100,5\t6\n";

        var problem = await RefusedAsync(Raw(csv, "text/csv"), HttpStatusCode.UnprocessableEntity);

        Assert.NotEqual(0, problem.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public async Task An_unterminated_quote_in_csv_is_refused_instead_of_swallowing_the_rest()
    {
        var csv = $"编号,本期数值\n{NumberField},\"100\npop_floating_in,5\n";

        var problem = await RefusedAsync(Raw(csv, "text/csv"), HttpStatusCode.UnprocessableEntity);

        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == "csv_unterminated_quote");
    }

    [Fact]
    public async Task Fifty_thousand_csv_columns_are_refused_with_a_bounded_error_list()
    {
        var header = string.Join(',', Enumerable.Range(0, 50_000).Select(i => $"c{i}"));
        var row = string.Join(',', Enumerable.Repeat("1", 50_000));

        var problem = await RefusedAsync(Raw(header + "\n" + row + "\n", "text/csv"), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(Problems.MaxListedErrors, problem.GetProperty("errors").GetArrayLength());
    }

    // ---------------------------------------------------------------- routes

    [Theory]
    [InlineData("500229001001'")]
    [InlineData("..%2F..")]
    [InlineData("5002290010011")]
    [InlineData("５００２２９００１００１")]
    public async Task Malformed_org_codes_in_routes_are_refused(string org)
    {
        var village = host.Villages()[13];
        var token = host.Token(village.Code, "admin");

        using var read = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org}/values/2026-11", token);
        using var submit = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{org}/submissions/2026-11", token, Json(new { values = new Dictionary<string, int> { [NumberField] = 1 } }));

        await AssertProblemAsync(read, 400, 404);
        await AssertProblemAsync(submit, 400, 404);
        await AssertAliveAsync();
    }

    [Fact]
    public async Task A_nul_in_the_route_is_refused_by_the_server_and_it_keeps_answering()
    {
        var village = host.Villages()[13];

        using var response = await host.SendAsync(HttpMethod.Get, "/api/orgs/%00/values/2026-11", host.Token(village.Code));

        // Kestrel refuses the request line itself, before any route runs: a bare 400 without a problem body.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertAliveAsync();
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("2026-Q5")]
    [InlineData("0000")]
    [InlineData("2026-00")]
    [InlineData("２０２６-11")]
    public async Task Malformed_periods_in_routes_are_refused(string period)
    {
        var village = host.Villages()[14];
        var token = host.Token(village.Code);

        using var read = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", token);
        using var submit = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", token, Json(new { values = new Dictionary<string, int> { [NumberField] = 1 } }));

        await AssertProblemAsync(read, 400);
        await AssertProblemAsync(submit, 400);
        await AssertAliveAsync();
    }

    [Theory]
    [InlineData("9999-12")]
    [InlineData("9999-Q4")]
    [InlineData("9999")]
    [InlineData("1900-01")]
    public async Task Extreme_but_well_formed_periods_never_give_a_server_error(string period)
    {
        var village = host.Villages()[15];
        var township = host.Orgs.Get(village.ParentCode!);

        foreach (var (path, token) in new[]
        {
            ($"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code)),
            ($"/api/orgs/{village.Code}/form/{period}", host.Token(village.Code)),
            ($"/api/orgs/{township.Code}/status/{period}", host.Token(township.Code, "viewer")),
            ($"/api/orgs/{township.Code}/burden/{period}", host.Token(township.Code, "viewer")),
        })
        {
            using var response = await host.SendAsync(HttpMethod.Get, path, token);
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
        }

        await AssertAliveAsync();
    }

    // A period has one spelling: its canonical text keys storage, blob names and workbook names.
    [Theory]
    [InlineData("2026-1")]
    [InlineData("2026-Q")]
    public async Task A_period_not_spelled_as_the_contract_says_is_400_not_read_as_another(string period)
    {
        var village = host.Villages()[16];

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code));

        var problem = await UploadLimitsTests.AssertProblemAsync(response, 400);
        Assert.Contains("格式不对", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_10_KB_idempotency_key_is_refused_before_anything_is_written()
    {
        var village = host.Villages()[17];
        var period = UniqueMonth();
        var key = new string('k', 10 * 1024);

        await RefusedAsync(village, period, Raw(JsonValues(village, period, seed: 47, NumberField, "10"), "application/json"), HttpStatusCode.BadRequest,
            r => r.Headers.TryAddWithoutValidation("Idempotency-Key", key));
    }

    [Fact]
    public async Task An_idempotency_key_of_escaped_characters_is_refused_before_anything_is_written()
    {
        var village = host.Villages()[18];
        var period = UniqueMonth();
        var key = new string('#', 199);

        await RefusedAsync(village, period, Raw(JsonValues(village, period, seed: 48, NumberField, "10"), "application/json"), HttpStatusCode.BadRequest,
            r => r.Headers.TryAddWithoutValidation("Idempotency-Key", key));
    }

    [Fact]
    public async Task A_non_ascii_idempotency_key_is_refused_before_anything_is_written()
    {
        var village = host.Villages()[19];
        var period = UniqueMonth();
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = host.Http.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}")
        {
            Content = Raw(JsonValues(village, period, seed: 49, NumberField, "10"), "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Token(village.Code));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "上传-第一次");

        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, 400);
        Assert.Equal(0, await CountAsync(village.Code, period));
        await AssertAliveAsync();
    }

    [Theory]
    [InlineData("t'\"x")]
    [InlineData("civil_monthly' or '1'='1")]
    [InlineData("%22%27")]
    public async Task Template_ids_with_quotes_get_404_for_reports_and_builds(string template)
    {
        var township = host.Townships()[0];
        var escaped = Uri.EscapeDataString(template);

        using var read = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/2026-11/{escaped}", host.Token(township.Code, "viewer"));
        using var build = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/2026-11/{escaped}/build", host.Token(township.Code, "admin"));

        await AssertProblemAsync(read, 404);
        await AssertProblemAsync(build, 404);
        await AssertAliveAsync();
    }

    // ---------------------------------------------------------------- tokens

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var village = host.Villages()[20];
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var auth = AuthSettings();
        static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var token = B64("""{"alg":"none","typ":"JWT"}""") + "." +
            B64($$"""{"iss":"{{auth.Issuer}}","aud":"{{auth.Audience}}","org":"{{village.Code}}","roles":["admin"],"exp":{{now + 3600}},"nbf":{{now - 10}}}""") + ".";

        await RefusedWithTokenAsync(village, token, 401);
    }

    [Fact]
    public async Task A_token_signed_with_our_key_for_another_audience_is_refused()
    {
        var village = host.Villages()[21];

        await RefusedWithTokenAsync(village, Mint(new() { ["org"] = village.Code, ["roles"] = new[] { "submitter" } }, audience: "another-api"), 401);
    }

    [Fact]
    public async Task An_org_claim_that_is_an_array_of_orgs_is_refused()
    {
        var village = host.Villages()[22];
        var other = host.Villages()[23];

        await RefusedWithTokenAsync(village, Mint(new() { ["org"] = new[] { other.Code, village.Code }, ["roles"] = new[] { "submitter" } }), 401);
    }

    [Fact]
    public async Task Roles_given_as_a_number_grant_nothing()
    {
        var village = host.Villages()[24];

        await RefusedWithTokenAsync(village, Mint(new() { ["org"] = village.Code, ["roles"] = 7 }), 401);
    }

    // ---------------------------------------------------------------- dropped files

    [Fact]
    public async Task An_event_for_a_dropped_file_named_with_dot_dot_segments_is_handled_without_an_error()
    {
        var handler = host.Services.GetRequiredService<IBlobIngestionHandler>();

        // Storage refuses to create such a blob, so only a forged or replayed event can name one.
        await Assert.ThrowsAnyAsync<Azure.RequestFailedException>(() => host.Services.GetRequiredService<ISubmissionInbox>().PutAsync("../../x.json", "{}"u8.ToArray(), "application/json"));
        await handler.IngestAsync("../../x.json", CancellationToken.None);
        await handler.IngestAsync("2026-11/../500229001001/x.json", CancellationToken.None);

        await AssertAliveAsync();
    }

    [Fact]
    public async Task A_dropped_file_name_with_percent_signs_is_ingested_once_and_removed()
    {
        var village = host.Villages()[25];
        var period = UniqueMonth();
        var name = $"{period}/{village.Code}/一表通%20100%25%2F.json";

        await DropAsync(name, Encoding.UTF8.GetBytes(JsonValues(village, period, seed: 50, NumberField, "321")));

        Assert.Equal("321", await StoredAsync(village.Code, period, NumberField));
    }

    [Fact]
    public async Task A_rejected_dropped_file_with_a_very_long_name_is_set_aside_and_removed()
    {
        var village = host.Villages()[26];
        var period = UniqueMonth();
        var prefix = $"{period}/{village.Code}/";
        var name = prefix + new string('a', 1000 - prefix.Length - 5) + ".json";

        await DropAsync(name, Encoding.UTF8.GetBytes("{\"values\": {\"unknown\": 1}}"));

        Assert.Equal(0, await CountAsync(village.Code, period));
    }

    [Fact]
    public async Task A_dropped_file_named_with_many_escaped_characters_is_ingested_once_and_removed()
    {
        var village = host.Villages()[29];
        var period = UniqueMonth();
        var name = $"{period}/{village.Code}/{new string('#', 100)}.json";

        await DropAsync(name, Encoding.UTF8.GetBytes(JsonValues(village, period, seed: 52, NumberField, "654")));

        Assert.Equal("654", await StoredAsync(village.Code, period, NumberField));
    }

    [Fact]
    public async Task A_dropped_file_without_a_file_name_is_set_aside_and_removed()
    {
        var village = host.Villages()[27];
        var period = UniqueMonth();

        await DropAsync($"{period}/{village.Code}/", Encoding.UTF8.GetBytes(JsonValues(village, period, seed: 51, NumberField, "1")));

        Assert.Equal(0, await CountAsync(village.Code, period));
    }

    [Fact]
    public async Task A_dropped_executable_is_set_aside_and_removed()
    {
        var village = host.Villages()[28];
        var period = UniqueMonth();

        await DropAsync($"{period}/{village.Code}/setup.exe", [0x4D, 0x5A, 0x90, 0x00]);

        Assert.Equal(0, await CountAsync(village.Code, period));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Posts to a fresh village period, expects a refusal, and checks nothing was stored and the host still answers.</summary>
    private Task<JsonElement> RefusedAsync(HttpContent content, HttpStatusCode status) =>
        RefusedAsync(host.Villages()[3], UniqueMonth(), content, status);

    private async Task<JsonElement> RefusedAsync(Org village, string period, HttpContent content, HttpStatusCode status, Action<HttpRequestMessage>? configure = null)
    {
        var before = await CountAsync(village.Code, period);
        using var response = await PostAsync(village.Code, period, content, configure);
        var problem = await AssertProblemAsync(response, (int)status);
        Assert.Equal(before, await CountAsync(village.Code, period));
        await AssertAliveAsync();
        return problem;
    }

    private async Task RefusedWithTokenAsync(Org village, string token, int status)
    {
        var period = UniqueMonth();
        using var submit = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", token,
            Raw(JsonValues(village, period, seed: 60, NumberField, "10"), "application/json"));
        using var read = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", token);

        await AssertProblemAsync(submit, status);
        await AssertProblemAsync(read, status);
        Assert.True(submit.Headers.WwwAuthenticate.Count > 0);
        Assert.Equal(0, await CountAsync(village.Code, period));
    }

    private async Task DropAsync(string name, byte[] content)
    {
        var inbox = host.Services.GetRequiredService<ISubmissionInbox>();
        var handler = host.Services.GetRequiredService<IBlobIngestionHandler>();
        await inbox.PutAsync(name, content, "application/octet-stream");

        await handler.IngestAsync(name, CancellationToken.None);

        await foreach (var file in inbox.ListAsync())
        {
            Assert.NotEqual(name, file.Name);
        }

        await AssertAliveAsync();
    }

    private Task<HttpResponseMessage> PostAsync(string org, string period, HttpContent content, Action<HttpRequestMessage>? configure = null) =>
        host.SendAsync(HttpMethod.Post, $"/api/orgs/{org}/submissions/{period}", host.Token(org), content, configure);

    private async Task<int> CountAsync(string org, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org}/values/{period}", host.Token(org));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ReadJsonAsync(response)).GetProperty("count").GetInt32();
    }

    private async Task<string?> StoredAsync(string org, string period, string field)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org}/values/{period}", host.Token(org));
        var values = (await ReadJsonAsync(response)).GetProperty("values").EnumerateArray();
        return values.Where(v => v.GetProperty("field").GetString() == field).Select(v => v.GetProperty("value").ToString()).FirstOrDefault();
    }

    private async Task AssertAliveAsync()
    {
        using var response = await host.SendAsync(HttpMethod.Get, "/api/health", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, params int[] statuses)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains((int)response.StatusCode), $"expected {string.Join('/', statuses)}, got {(int)response.StatusCode}: {Shorten(text)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.True(text.Length < 1024 * 1024, $"the problem body is {text.Length} characters");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.True(HasChinese(problem.GetProperty("detail").GetString()), $"detail is not Chinese: {problem.GetProperty("detail")}");
        if (problem.TryGetProperty("errors", out var errors))
        {
            Assert.All(errors.EnumerateArray(), e => Assert.True(HasChinese(e.GetProperty("message").GetString()), e.ToString()));
        }

        return problem;
    }

    private static bool HasChinese(string? text) => text is not null && text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static ByteArrayContent Raw(string text, string contentType) => Bytes(Encoding.UTF8.GetBytes(text), contentType);

    private static string CsvQuote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A full valid submission for the village with one field's JSON literal replaced.</summary>
    private string JsonValues(Org village, string period, int seed, string field, string literal)
    {
        var values = host.TypedValues(village, period, seed);
        values.Remove(field);
        var rest = string.Join(", ", values.Select(kv => $"{JsonSerializer.Serialize(kv.Key)}: {JsonSerializer.Serialize(kv.Value)}"));
        return $"{{\"values\": {{\"{field}\": {literal}{(rest.Length > 0 ? ", " : "")}{rest}}}}}";
    }

    /// <summary>The village's form for the period with its typed values filled in, then <paramref name="edit"/> applied to the number field's value cell.</summary>
    private async Task<byte[]> FilledFormAsync(Org village, string period, int seed, Action<ExcelWorksheet, int, int> edit)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var package = new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var sheet = package.Workbook.Worksheets["填报表"];
        var (headerRow, idColumn, valueColumn) = FindHeader(sheet);
        var values = host.TypedValues(village, period, seed);
        for (var row = headerRow + 1; row <= sheet.Dimension.End.Row; row++)
        {
            var id = sheet.Cells[row, idColumn].Value as string;
            if (id is null)
            {
                continue;
            }

            if (id == NumberField)
            {
                edit(sheet, row, valueColumn);
            }
            else if (values.TryGetValue(id, out var value))
            {
                sheet.Cells[row, valueColumn].Value = decimal.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : value;
            }
        }

        return package.GetAsByteArray();
    }

    private static (int Row, int IdColumn, int ValueColumn) FindHeader(ExcelWorksheet sheet)
    {
        for (var row = 1; row <= 40; row++)
        {
            int? id = null, value = null;
            for (var column = 1; column <= 12; column++)
            {
                var text = sheet.Cells[row, column].Value as string;
                id ??= text == "编号" ? column : null;
                value ??= text == "本期数值" ? column : null;
            }

            if (id is not null && value is not null)
            {
                return (row, id.Value, value.Value);
            }
        }

        throw new InvalidOperationException("The form has no 编号/本期数值 header.");
    }

    /// <summary>A minimal .xlsx whose only sheet's rows are written by <paramref name="writeRows"/>, deflated as it is written.</summary>
    private static byte[] BuildWorkbook(Action<Stream> writeRows)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Entry(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(xml);
            }

            Entry("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>""");
            Entry("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""");
            Entry("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>""");
            Entry("xl/_rels/workbook.xml.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>""");
            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", System.IO.Compression.CompressionLevel.Optimal).Open();
            sheet.Write("""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""u8);
            writeRows(sheet);
            sheet.Write("</sheetData></worksheet>"u8);
        }

        return buffer.ToArray();
    }

    private static void WriteBlanks(Stream sheet, long bytes)
    {
        var blanks = new byte[1024 * 1024];
        Array.Fill(blanks, (byte)' ');
        for (long written = 0; written < bytes; written += blanks.Length)
        {
            sheet.Write(blanks);
        }
    }

    /// <summary>Rewrites an entry's uncompressed size in its local header and the central directory, as a hostile zip would.</summary>
    private static void ForgeUncompressedSize(byte[] zip, string entryName, uint size)
    {
        var end = zip.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end)) != 0x06054b50)
        {
            end--;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        var at = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        for (var i = 0; i < count; i++)
        {
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 28));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 30));
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(at + 32));
            var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at + 42));
            if (Encoding.UTF8.GetString(zip, at + 46, nameLength) == entryName)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(at + 24), size);
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(local + 22), size);
                return;
            }

            at += 46 + nameLength + extraLength + commentLength;
        }

        throw new InvalidOperationException($"{entryName} is not in the zip.");
    }

    private string UniqueYear() => (2500 + Interlocked.Increment(ref _nextYear)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private AuthOptions AuthSettings() => host.Services.GetRequiredService<IOptions<AuthOptions>>().Value;

    private string Mint(Dictionary<string, object> claims, string? audience = null)
    {
        var auth = AuthSettings();
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = audience ?? auth.Audience,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-10),
            Expires = now.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(auth.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
